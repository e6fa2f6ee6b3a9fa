"""The GPU benchmark's measurements, in one process on one device (``bash bench/gpu.sh`` runs it on a GPU machine):

- short texts: the sentiment model in batches of ``--batch`` (the runtime's ceiling; fp32 autocasts to fp16 on
  CUDA) beside the naive worker's way of calling it, one text per call;
- résumés: the model work alone (the entity model over all windows of a batch, then the résumé embeddings) beside
  the same work one résumé per call, and the whole parse (``ResumeParser.parse_many``) with its
  wall time split into model calls (``workers.engine.model_clock``) and the Python around them, then the same with
  the entity model one chunk ahead in a thread (``overlap=True``, what a CUDA worker's parse tasks run).

Printed as a table with the ratios; the queue pipeline itself (``bench.pipeline``) needs Redis and PostgreSQL.

    python -m bench.gpu [--device cuda] [--resumes 256] [--short 4096] [--batch 64] [--data FILE]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from functools import partial
from itertools import cycle, islice
from pathlib import Path

from config.settings import get_settings
from workers import registry
from workers.engine.encoder import Encoder
from workers.engine.model_clock import model_time
from workers.resume.parser import ResumeParser
from workers.sentiment.model import SentimentModel

NAIVE_SAMPLE = 64  # one-at-a-time work is slow: a sample of it gives its rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--resumes", type=int, default=256)
    parser.add_argument("--short", type=int, default=4096)
    parser.add_argument("--batch", type=int, default=64, help="texts per call: a GPU worker's batch")
    parser.add_argument("--data", type=Path, default=Path("../shared/data/resumes-dev.jsonl"))
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    resumes = list(islice(cycle(row["text"] for row in rows), args.resumes))
    sentences = [s.strip() + "." for row in rows for s in row["text"].split(".") if 5 <= len(s.split()) <= 40]
    short = list(islice(cycle(sentences), args.short))

    settings = get_settings().model_copy(update={"device": args.device})
    registry.configure_torch(settings)
    talentq = registry.resume_parser(settings), registry.sentiment_model(settings)
    print(f"device {talentq[0].encoder.device}, runtime {settings.runtime} (fp16 autocast on CUDA), batch {args.batch}")
    table = ["| workload | stage | items/s | × naive |", "|---|---|---:|---:|"]
    for workload, stages in (
        ("short texts", _short_stages(talentq[1], short, args.batch)),
        ("résumés", _resume_stages(talentq[0], resumes, args.batch)),
    ):
        naive = stages[0][1]
        table += [f"| {workload} | {name} | {rate:.1f} | {rate / naive:.1f}× |" for name, rate in stages]
    print("\n".join(table))


def _rate(work: Callable[[Sequence[str]], object], texts: Sequence[str], batch: int, warm: bool = True) -> float:
    """Items per second of ``work`` over ``texts``, ``batch`` at a time (after one warm-up call)."""
    if warm:
        work(texts[:batch])
    started = time.perf_counter()
    for first in range(0, len(texts), batch):
        work(texts[first : first + batch])
    return len(texts) / (time.perf_counter() - started)


def _short_stages(model: SentimentModel, texts: list[str], batch: int) -> list[tuple[str, float]]:
    return [
        ("naive model work (one text per call)", _rate(model.analyze, texts[:NAIVE_SAMPLE], 1)),
        (f"sentiment model, batches of {batch} (ceiling)", _rate(model.analyze, texts, batch)),
    ]


def _resume_stages(parser: ResumeParser, texts: list[str], batch: int) -> list[tuple[str, float]]:
    encoder: Encoder = parser.encoder

    def model_work(chunk: Sequence[str]) -> None:
        parser.entity_model.tag(list(chunk))
        encoder.embed(list(chunk))

    stages = [
        ("naive model work (one résumé per call)", _rate(model_work, texts[:NAIVE_SAMPLE], 1)),
        (f"model work alone, batches of {batch} (ceiling)", _rate(model_work, texts, batch)),
    ]
    parser.parse_many(texts[:batch])
    before = model_time()
    rate = _rate(parser.parse_many, texts, batch, warm=False)
    share = (model_time().wall_s - before.wall_s) / (len(texts) / rate)
    stages.append((f"whole parse, batches of {batch} ({share:.0%} of its wall time in model calls)", rate))
    overlapped = _rate(partial(parser.parse_many, overlap=True), texts, batch, warm=False)
    stages.append(
        (f"whole parse, batches of {batch}, entity model a chunk ahead in a thread (a GPU worker's)", overlapped)
    )
    return stages


if __name__ == "__main__":
    main()
