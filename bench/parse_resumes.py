"""Time the résumé parser with the real models on N résumés cycled from the dev set, ``--batch`` at a time (as a
worker's handler takes them: the entity model runs over the windows of the whole batch together), and split its
CPU time into model forward passes (``workers.engine.model_clock``) and the Python around them. With ``--overlap``
the entity model runs in a thread beside the rules, so the clock's process CPU time during its passes counts the
rules' CPU too: read the total, not the split.

The first pass over the distinct texts is reported on its own: later passes repeat texts, so the per-process
phrase-embedding cache (``workers.engine.phrase_cache``) makes them cheaper than fresh résumés would be.

    OMP_WAIT_POLICY=PASSIVE python -m bench.parse_resumes [--n 1000] [--batch 16] [--overlap] [--device cpu|cuda]
        [--data FILE]

``talentq worker`` runs with ``OMP_WAIT_POLICY=PASSIVE`` (README, Operations); set it to measure what a worker does,
and compare runs under the same policy (the startup line prints it).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from itertools import cycle, islice
from pathlib import Path

import torch

from config.settings import get_settings
from workers import registry
from workers.engine.model_clock import model_time
from workers.resume.skills import default_taxonomy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--device", default=None, help="overrides TALENTQ_DEVICE")
    parser.add_argument("--overlap", action="store_true", help="the entity model one chunk ahead, in a thread")
    parser.add_argument("--data", type=Path, default=Path("../shared/data/resumes-dev.jsonl"))
    args = parser.parse_args()
    texts = [json.loads(line)["text"] for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    settings = get_settings().model_copy(update={"device": args.device} if args.device else {})

    started = time.perf_counter()
    registry.configure_torch(settings)
    resumes = registry.resume_parser(settings)
    default_taxonomy().vectors(resumes.encoder)  # what a worker pays at start (cached .npy after the first run)
    startup = time.perf_counter() - started

    work = list(islice(cycle(texts), args.n))
    first_pass = min(args.n, len(texts))
    model_before, cpu_before = model_time(), time.process_time()
    started, fresh = time.perf_counter(), 0.0
    for first in range(0, len(work), args.batch):
        resumes.parse_many(work[first : first + args.batch], overlap=args.overlap)
        if not fresh and first + args.batch >= first_pass:
            fresh = time.perf_counter() - started
    total = time.perf_counter() - started
    cpu, model = time.process_time() - cpu_before, model_time()
    model_cpu, model_wall = model.cpu_s - model_before.cpu_s, model.wall_s - model_before.wall_s
    done_first = min(first_pass + (-first_pass % args.batch), args.n)
    device = resumes.encoder.device
    policy = f"OMP_WAIT_POLICY {os.environ.get('OMP_WAIT_POLICY', 'unset')}"
    cpu_kind = f"CPU {torch.backends.cpu.get_cpu_capability()}"  # AVX2 or AVX512: the network's speed turns on it
    print(
        f"startup (models + taxonomy embeddings): {startup:.1f} s; device {device}; runtime {settings.runtime}; "
        f"overlap {args.overlap}; {policy}; {cpu_kind}"
    )
    print(f"first pass, {done_first} résumés: {fresh:.1f} s, {done_first / fresh:.2f} résumés/s")
    print(f"all {args.n} résumés: {total:.1f} s, {args.n / total:.2f} résumés/s")
    per = 1000 / args.n
    print(
        f"CPU ms per résumé: {cpu * per:.0f} = model {model_cpu * per:.0f} + the rest {(cpu - model_cpu) * per:.0f}; "
        f"wall ms per résumé in model calls {model_wall * per:.0f} of {total * per:.0f}"
    )


if __name__ == "__main__":
    main()
