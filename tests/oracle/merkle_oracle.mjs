// Reference oracle: roots, proofs and dumps from @openzeppelin/merkle-tree itself.
//
// Request (JSON):  {"trees": [{"types": ["string","uint256","bytes32"], "values": [[...], ...], "dump": false,
//                              "multi": [[input indices], ...]}],
//                   "proofs": [an aiprov-proof/1 document, ...]}
// Response (JSON): {"trees": [{"root": "0x…", "proofs": [[...] per input index], "dump": {...} if asked,
//                             "multiproofs": [getMultiProof(indices) per "multi" item]}],
//                   "verified": [StandardMerkleTree.verify / verifyMultiProof of each proof document]}
//                  or {"error": "message"} when the library rejects the input.
// A proof document is checked exactly as SPEC §6 promises a user can: verify(root, leafEncoding, value, proof)
// for one leaf, verifyMultiProof(root, leafEncoding, {leaves, proof, proofFlags}) for several.
//
// `node merkle_oracle.mjs` answers one request read from all of stdin.
// `node merkle_oracle.mjs --lines` answers one request per stdin line, one response
// line each, so a test session can keep a single node process (tests/manifest/conftest.py).
import { createRequire } from "node:module";
import { createInterface } from "node:readline";

const require = createRequire(import.meta.url); // resolves from here up to the repo's node_modules
const { StandardMerkleTree } = require("@openzeppelin/merkle-tree");

function answer(text) {
  try {
    const request = JSON.parse(text);
    const trees = (request.trees || []).map(({ types, values, dump, multi }) => {
      const tree = StandardMerkleTree.of(values, types);
      const out = { root: tree.root, proofs: values.map((_, i) => tree.getProof(i)) };
      if (dump) out.dump = tree.dump();
      if (multi) out.multiproofs = multi.map((indices) => tree.getMultiProof(indices));
      return out;
    });
    const verified = (request.proofs || []).map((doc) => {
      try {
        return doc.proofFlags
          ? StandardMerkleTree.verifyMultiProof(doc.root, doc.leafEncoding, {
              leaves: doc.leaves, proof: doc.proof, proofFlags: doc.proofFlags })
          : StandardMerkleTree.verify(doc.root, doc.leafEncoding, doc.value, doc.proof);
      } catch (error) {
        return false; // the library throws on malformed multiproofs; for a verifier that is "no"
      }
    });
    return JSON.stringify({ trees, verified });
  } catch (error) {
    return JSON.stringify({ error: String(error && error.message ? error.message : error) });
  }
}

if (process.argv.includes("--lines")) {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim()) process.stdout.write(answer(line) + "\n");
  }
} else {
  let text = "";
  process.stdin.setEncoding("utf8");
  for await (const chunk of process.stdin) text += chunk;
  process.stdout.write(answer(text) + "\n");
}
