#!/usr/bin/env node
// Compile Solidity with the npm WebAssembly build of solc, speaking solc's standard JSON.
//
//   node solcjs.js NODE_MODULES_DIR EXPECTED_VERSION < input.json > output.json
//
// Reads one standard-JSON input on stdin and writes solc's standard-JSON output on stdout.
// Sources must be inlined ("content"): no import callback is given, so nothing is read from
// disk. Used by tools/contracts/build.py (make contracts) when no native solc of the pinned version exists.
"use strict";

const path = require("path");

const [nodeModules, expectedVersion] = process.argv.slice(2);
if (!nodeModules || !expectedVersion) {
  process.stderr.write("usage: node solcjs.js NODE_MODULES_DIR EXPECTED_VERSION < input.json\n");
  process.exit(2);
}

let solc;
try {
  solc = require(path.join(path.resolve(nodeModules), "solc"));
} catch (err) {
  process.stderr.write(`cannot load solc from ${nodeModules}: ${err.message}; run npm ci\n`);
  process.exit(3);
}

const version = solc.version();
if (!version.startsWith(expectedVersion + "+")) {
  process.stderr.write(`npm solc is ${version}, expected ${expectedVersion}; run npm ci\n`);
  process.exit(3);
}

const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
  process.stdout.write(solc.compile(Buffer.concat(chunks).toString("utf8")));
});
