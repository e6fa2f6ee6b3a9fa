"""Runtimes and batch token budgets head to head on the CPU: the same texts, one run.

    python -m bench.runtime --short 256 --resumes 48 --batch-size 32 --batch-tokens 512,100000

Short texts are 10-60-word phrases of the sentiment training set; résumés are the 400-1,000-word
texts of the dev set (several 256-token windows each). Runtimes take turns for ``--rounds``
rounds and each keeps its best time, which damps the noise of a shared machine. Cosine is
between a runtime's embeddings and the fp32 ones, over all the texts. The bundled sentiment
network runs on the short texts under each runtime too (``SentimentModel.analyze`` in batches):
its rate, and how far its P(positive) and labels move from fp32.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import time
from pathlib import Path

import numpy as np
import torch

from workers.engine.backends import RUNTIMES
from workers.engine.batching import CPU_BATCH_TOKENS
from workers.engine.encoder import Encoder
from workers.sentiment.model import SentimentModel

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def short_texts(n: int, seed: int = 0) -> list[str]:
    with open(DATA / "sentiment-train.tsv", newline="", encoding="utf-8") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows)
        texts = [row[0] for row in rows if 10 <= len(row[0].split()) <= 60]
    random.Random(seed).shuffle(texts)
    return texts[:n]


def resume_texts(n: int) -> list[str]:
    with open(DATA / "resumes-dev.jsonl", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f]
    return [t for t in texts if 400 <= len(t.split()) <= 1000][:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", type=int, default=256, help="number of short texts")
    parser.add_argument("--resumes", type=int, default=48, help="number of résumé texts")
    parser.add_argument("--batch-size", type=int, default=32, help="texts per sentiment call (jobs per handler call)")
    parser.add_argument(
        "--batch-tokens",
        default=str(CPU_BATCH_TOKENS),
        help="comma-separated token budgets per forward pass; each runtime runs under each (the first is the "
        "reference's); a budget ≥ 100000 is one batch per call, the fixed-count batching of earlier versions",
    )
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per runtime (best kept)")
    parser.add_argument("--runtimes", default=",".join(RUNTIMES), help="comma-separated; fp32 always runs")
    parser.add_argument("--threads", type=int, default=None, help="torch / ORT intra-op threads")
    parser.add_argument("--cpu-time", action="store_true", help="time by process CPU time, not wall clock")
    parser.add_argument("--cache-dir", default=None, help="ONNX cache (default TALENTQ_CACHE_DIR or ~/.cache/talentq)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    runtimes = ["fp32", *(r for r in args.runtimes.split(",") if r and r != "fp32")]
    budgets = [int(b) for b in args.batch_tokens.split(",")]
    variants = [(r, b) for r in runtimes for b in budgets]  # variants[0] is the fp32 reference
    workloads = {"short": short_texts(args.short), "resume": resume_texts(args.resumes)}

    encoders, sentiment, load_s = {}, {}, {}
    for runtime, budget in variants:
        started = time.perf_counter()
        encoder = Encoder(device="cpu", runtime=runtime, cache_dir=args.cache_dir, batch_tokens=budget)
        load_s[runtime, budget] = time.perf_counter() - started
        encoder.embed(workloads["short"][: args.batch_size])  # warm-up
        encoders[runtime, budget] = encoder
        sentiment[runtime, budget] = SentimentModel(encoder)
        sentiment[runtime, budget].warm_up()

    clock = time.process_time if args.cpu_time else time.perf_counter
    best = {(v, w): float("inf") for v in variants for w in [*workloads, "sentiment"]}
    vectors: dict[tuple, np.ndarray] = {}
    results: dict[tuple, list] = {}
    short = workloads["short"]
    batches = [short[i : i + args.batch_size] for i in range(0, len(short), args.batch_size)]
    for _ in range(args.rounds):
        for variant, encoder in encoders.items():
            for workload, texts in workloads.items():
                started = clock()
                vectors[variant, workload] = encoder.embed(texts)
                best[variant, workload] = min(best[variant, workload], clock() - started)
            started = clock()
            results[variant] = [r for batch in batches for r in sentiment[variant].analyze(batch)]
            best[variant, "sentiment"] = min(best[variant, "sentiment"], clock() - started)

    reference = variants[0]
    chunks = len(encoders[reference]._chunk(workloads["resume"])[0])
    print(
        f"{len(workloads['short'])} short texts, {len(workloads['resume'])} résumés ({chunks} windows), "
        f"{args.batch_size} texts per sentiment call, {torch.get_num_threads()} threads, best of {args.rounds} "
        f"rounds ({'CPU time' if args.cpu_time else 'wall clock'}); reference: fp32, {reference[1]} tokens\n"
    )
    columns = "runtime | batch tokens | load s | short texts/s | résumés/s | × ref short | × ref résumé | cos mean"
    print(f"| {columns} | cos min |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for variant in variants:
        rate = {w: len(t) / best[variant, w] for w, t in workloads.items()}
        ratio = {w: best[reference, w] / best[variant, w] for w in workloads}
        cos = np.concatenate([(vectors[variant, w] * vectors[reference, w]).sum(1) for w in workloads])
        print(
            f"| {variant[0]} | {variant[1]} | {load_s[variant]:.1f} | {rate['short']:.1f} | {rate['resume']:.2f} | "
            f"{ratio['short']:.2f} | {ratio['resume']:.2f} | {cos.mean():.4f} | {cos.min():.4f} |"
        )
    print("\n| runtime | batch tokens | sentiment texts/s | × ref | P(positive) mean abs Δ | max abs Δ | same label |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    p_ref = np.array([r.positive_probability for r in results[reference]])
    for variant in variants:
        p = np.array([r.positive_probability for r in results[variant]])
        agree = np.mean([a.label == b.label for a, b in zip(results[variant], results[reference], strict=True)])
        print(
            f"| {variant[0]} | {variant[1]} | {len(short) / best[variant, 'sentiment']:.1f} | "
            f"{best[reference, 'sentiment'] / best[variant, 'sentiment']:.2f} | {np.abs(p - p_ref).mean():.4f} | "
            f"{np.abs(p - p_ref).max():.4f} | {agree:.3f} |"
        )


if __name__ == "__main__":
    main()
