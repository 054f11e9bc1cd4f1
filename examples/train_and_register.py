#!/usr/bin/env python3
"""Train a tiny model and anchor it, with its dataset and training run, at the end.

No ML framework needed: a logistic-regression sentiment model in pure Python,
trained on a toy dataset this script writes. The three lines that matter for
aiprov are marked; everything else is an ordinary training script.

    python examples/train_and_register.py [--workdir DIR]

Uses the embedded `local` chain under $AIPROV_HOME (default ~/.aiprov).
"""

from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path

from aiprov import Client

WORDS_POS = "good great love fine fast excellent happy".split()
WORDS_NEG = "bad awful hate slow broken terrible sad".split()


def make_dataset(folder: Path, n: int = 400, seed: int = 1) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "train.jsonl", "w", encoding="utf-8") as f:
        for i in range(n):
            label = rng.randint(0, 1)
            words = rng.choices(WORDS_POS if label else WORDS_NEG, k=4) + rng.choices(WORDS_POS + WORDS_NEG, k=2)
            f.write(json.dumps({"id": i, "text": " ".join(words), "label": label}) + "\n")


def train(data: Path, epochs: int, lr: float) -> tuple[dict, float]:
    rows = [json.loads(line) for line in open(data / "train.jsonl", encoding="utf-8")]
    vocab = sorted({w for r in rows for w in r["text"].split()})
    weights = {w: 0.0 for w in vocab}
    bias = 0.0
    for _ in range(epochs):
        for r in rows:
            words = r["text"].split()
            z = bias + sum(weights[w] for w in words)
            err = 1 / (1 + math.exp(-z)) - r["label"]
            bias -= lr * err
            for w in words:
                weights[w] -= lr * err
    correct = sum((bias + sum(weights[w] for w in r["text"].split()) > 0) == bool(r["label"]) for r in rows)
    return {"bias": bias, "weights": weights}, correct / len(rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", type=Path, default=Path("train-demo"))
    ap.add_argument("--epochs", type=int, default=5)
    args = ap.parse_args()
    data, out = args.workdir / "data", args.workdir / "model"
    make_dataset(data)
    config = {"epochs": args.epochs, "lr": 0.1, "model": "logistic-regression"}
    model, accuracy = train(data, config["epochs"], config["lr"])
    out.mkdir(parents=True, exist_ok=True)
    (out / "weights.json").write_text(json.dumps(model, sort_keys=True))
    (out / "config.json").write_text(json.dumps(config, sort_keys=True))

    # --- aiprov: anchor the dataset and the model with its lineage (three lines) ---
    with Client() as aiprov:
        dataset = aiprov.register_dataset(data, name="toy-sentiment")
        reg = aiprov.register_model(out, datasets=[dataset.id], name="toy-sentiment-lr",
                                    training_config=config, metrics={"train_accuracy": accuracy})

    print(json.dumps({"dataset_id": dataset.id, "model_id": reg.id, "root": reg.root,
                      "accuracy": round(accuracy, 4), "already_registered": reg.already_registered}))


if __name__ == "__main__":
    main()
