"""Time ``parse_resume`` with the real encoder on N résumés cycled from the dev set.

The first pass over the distinct texts is reported on its own: later passes repeat texts, so the per-process
phrase-embedding cache (``workers.engine.phrase_cache``) makes them cheaper than fresh résumés would be.

    nice -n 10 python -m bench.parse_resumes [--n 1000] [--data ../shared/data/resumes-dev.jsonl]
"""

from __future__ import annotations

import argparse
import json
import time
from itertools import cycle, islice
from pathlib import Path

from workers.engine.encoder import Encoder
from workers.resume.parser import parse_resume
from workers.resume.skills import default_taxonomy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--data", type=Path, default=Path("../shared/data/resumes-dev.jsonl"))
    args = parser.parse_args()
    texts = [json.loads(line)["text"] for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]

    started = time.perf_counter()
    encoder = Encoder()
    default_taxonomy().vectors(encoder)  # what a worker pays at start (cached .npy after the first run)
    startup = time.perf_counter() - started

    first_pass = min(args.n, len(texts))
    started = time.perf_counter()
    for i, text in enumerate(islice(cycle(texts), args.n)):
        parse_resume(text, encoder)
        if i + 1 == first_pass:
            fresh = time.perf_counter() - started
    total = time.perf_counter() - started
    print(f"startup (encoder + taxonomy embeddings): {startup:.1f} s")
    print(f"first pass, {first_pass} distinct résumés: {fresh:.1f} s, {first_pass / fresh:.2f} résumés/s")
    print(f"all {args.n} résumés: {total:.1f} s, {args.n / total:.2f} résumés/s")


if __name__ == "__main__":
    main()
