"""Runtimes head to head on the CPU: the same texts, the same batch size, one run.

    python -m bench.runtime --short 256 --resumes 48 --batch-size 32

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

from workers.backends import RUNTIMES
from workers.encoder import Encoder
from workers.sentiment import SentimentModel

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
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3, help="timed rounds per runtime (best kept)")
    parser.add_argument("--runtimes", default=",".join(RUNTIMES), help="comma-separated; fp32 always runs")
    parser.add_argument("--threads", type=int, default=None, help="torch / ORT intra-op threads")
    parser.add_argument("--cpu-time", action="store_true", help="time by process CPU time, not wall clock")
    parser.add_argument("--cache-dir", default=None, help="ONNX cache (default TALENTQ_CACHE_DIR or ~/.cache/talentq)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    runtimes = ["fp32", *(r for r in args.runtimes.split(",") if r and r != "fp32")]
    workloads = {"short": short_texts(args.short), "resume": resume_texts(args.resumes)}

    encoders, sentiment, load_s = {}, {}, {}
    for runtime in runtimes:
        started = time.perf_counter()
        encoders[runtime] = Encoder(device="cpu", runtime=runtime, cache_dir=args.cache_dir)
        load_s[runtime] = time.perf_counter() - started
        encoders[runtime].embed(workloads["short"][: args.batch_size], args.batch_size)  # warm-up
        sentiment[runtime] = SentimentModel(encoders[runtime])
        sentiment[runtime].warm_up()

    clock = time.process_time if args.cpu_time else time.perf_counter
    best = {(r, w): float("inf") for r in runtimes for w in [*workloads, "sentiment"]}
    vectors: dict[tuple[str, str], np.ndarray] = {}
    results: dict[str, list] = {}
    short = workloads["short"]
    for _ in range(args.rounds):
        for runtime, encoder in encoders.items():
            for workload, texts in workloads.items():
                started = clock()
                vectors[runtime, workload] = encoder.embed(texts, args.batch_size)
                best[runtime, workload] = min(best[runtime, workload], clock() - started)
            started = clock()
            batches = [short[i : i + args.batch_size] for i in range(0, len(short), args.batch_size)]
            results[runtime] = [r for batch in batches for r in sentiment[runtime].analyze(batch)]
            best[runtime, "sentiment"] = min(best[runtime, "sentiment"], clock() - started)

    chunks = len(encoders["fp32"]._chunk(workloads["resume"])[0])
    print(
        f"{len(workloads['short'])} short texts, {len(workloads['resume'])} résumés ({chunks} windows), "
        f"batch {args.batch_size}, {torch.get_num_threads()} threads, best of {args.rounds} rounds "
        f"({'CPU time' if args.cpu_time else 'wall clock'})\n"
    )
    print("| runtime | load s | short texts/s | résumés/s | × fp32 short | × fp32 résumé | cos mean | cos min |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for runtime in runtimes:
        rate = {w: len(t) / best[runtime, w] for w, t in workloads.items()}
        ratio = {w: best["fp32", w] / best[runtime, w] for w in workloads}
        cos = np.concatenate([(vectors[runtime, w] * vectors["fp32", w]).sum(1) for w in workloads])
        print(
            f"| {runtime} | {load_s[runtime]:.1f} | {rate['short']:.1f} | {rate['resume']:.2f} | "
            f"{ratio['short']:.2f} | {ratio['resume']:.2f} | {cos.mean():.4f} | {cos.min():.4f} |"
        )
    print("\n| runtime | sentiment texts/s | × fp32 | P(positive) mean abs Δ | max abs Δ | same label |")
    print("|---|---:|---:|---:|---:|---:|")
    reference = np.array([r.positive_probability for r in results["fp32"]])
    for runtime in runtimes:
        p = np.array([r.positive_probability for r in results[runtime]])
        agree = np.mean([a.label == b.label for a, b in zip(results[runtime], results["fp32"], strict=True)])
        print(
            f"| {runtime} | {len(short) / best[runtime, 'sentiment']:.1f} | "
            f"{best['fp32', 'sentiment'] / best[runtime, 'sentiment']:.2f} | {np.abs(p - reference).mean():.4f} | "
            f"{np.abs(p - reference).max():.4f} | {agree:.3f} |"
        )


if __name__ == "__main__":
    main()
