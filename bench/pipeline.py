"""End-to-end throughput of talentq against the model alone and against a naive Celery pipeline.

    python -m bench.pipeline [--short 500 | --skip-short] [--resumes 40 | --skip-resumes] [--resume-batch-size 8]
                             [--runtime fp32|bf16|onnx|onnx-int8] [--rss-tasks 10000]

In one run, on real Redis and PostgreSQL (a fresh database and a private Redis database number):
the model alone in this process (the ceiling), the naive pipeline (``bench.naive``: one task per
document, fp32, batch of one, a commit per row), talentq's pipeline (``producers.enqueue`` → a
worker started with ``producers.cli.worker_command`` → rows), talentq's handler alone, and the
memory of a talentq worker over ``--rss-tasks`` more sentiment jobs. Pipelines are timed from the
first submit to the last row committed (polling the row count), each on an already warm worker.
See docs/benchmarks.md for results.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bench._data import resume_texts, short_texts
from bench._infra import fresh_database, private_redis

if TYPE_CHECKING:
    from bench._measure import MemoryGrowth, Stage

PG_ADMIN_URL = os.environ.get("TALENTQ_TEST_PG", "postgresql+psycopg2://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TALENTQ_BENCH_REDIS", "redis://127.0.0.1:6379")
TARGET_VS_NAIVE = 5.0
TARGET_VS_RAW = 0.85
TARGET_RSS_GROWTH_PCT = 5.0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", type=int, default=500, help="short texts (sentiment jobs) per stage")
    parser.add_argument("--resumes", type=int, default=40, help="résumés (parse jobs) per stage")
    parser.add_argument("--warmup", type=int, default=None, help="short warm-up jobs (default 2 batches)")
    parser.add_argument("--warmup-resumes", type=int, default=3, help="résumé warm-up jobs")
    parser.add_argument("--rss-tasks", type=int, default=10_000, help="sentiment jobs for the memory check (0 = off)")
    parser.add_argument("--runtime", default="fp32", help="TALENTQ_RUNTIME of talentq (naive is always fp32)")
    parser.add_argument("--device", default=None, help="TALENTQ_DEVICE (default: the setting, auto)")
    parser.add_argument("--concurrency", type=int, default=1, help="worker processes, naive and talentq alike")
    parser.add_argument("--pool", default="prefork", choices=["prefork", "solo", "threads"], help="Celery pool")
    parser.add_argument("--torch-threads", type=int, default=None, help="TALENTQ_TORCH_THREADS (default cores/c)")
    parser.add_argument("--batch-size", type=int, default=None, help="TALENTQ_BATCH_SIZE (default: the setting)")
    parser.add_argument("--batch-wait-ms", type=int, default=None, help="TALENTQ_BATCH_WAIT_MS (default: setting)")
    parser.add_argument("--redis-db", type=int, default=7, help="Redis db (tests use 8-15); flushed")
    parser.add_argument("--timeout", type=float, default=1800, help="most seconds one pipeline stage may take")
    parser.add_argument("--log-dir", type=Path, default=None, help="keep the workers' logs here (default: discarded)")
    parser.add_argument("--skip-resumes", action="store_true", help="only the short-text workload")
    parser.add_argument(
        "--baseline-tree",
        type=Path,
        default=None,
        help="another checkout with its own .venv (e.g. a worktree of main): its talentq pipeline is timed in this "
        "run too, for a before/after ratio under the same load",
    )
    parser.add_argument("--skip-short", action="store_true", help="only the résumé workload")
    parser.add_argument("--resume-batch-size", type=int, default=None, help="TALENTQ_RESUME_BATCH_SIZE")
    return parser.parse_args(argv)


def configure_environment(args: argparse.Namespace, database_url: str) -> None:
    """Settings for this process and the workers it starts; set before any talentq module reads them."""
    optional = {
        "TALENTQ_DEVICE": args.device,
        "TALENTQ_TORCH_THREADS": args.torch_threads,
        "TALENTQ_BATCH_SIZE": args.batch_size,
        "TALENTQ_BATCH_WAIT_MS": args.batch_wait_ms,
        "TALENTQ_RESUME_BATCH_SIZE": args.resume_batch_size,
    }
    os.environ.update({k: str(v) for k, v in optional.items() if v is not None})
    os.environ.update(
        TALENTQ_DATABASE_URL=database_url,
        TALENTQ_BROKER_URL=f"{REDIS_URL}/{args.redis_db}",
        TALENTQ_RUNTIME=args.runtime,
        TALENTQ_WORKER_CONCURRENCY=str(args.concurrency),
        TALENTQ_METRICS_PORT="0",
        HF_HUB_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
    )
    os.environ.pop("TALENTQ_RESULT_BACKEND", None)
    from config.settings import get_settings

    get_settings.cache_clear()  # in case anything read the settings before this point


def run(args: argparse.Namespace, log_dir: Path) -> tuple[list[Stage], MemoryGrowth | None]:
    """Both workloads; imports the Celery layer only now that the environment is set."""
    from bench import _measure
    from config.settings import get_settings

    settings = get_settings()
    options = _measure.Options(args.concurrency, args.pool, log_dir, args.timeout, args.baseline_tree)
    stages: list[Stage] = []
    growth = None
    if not args.skip_short:
        warm_n = args.warmup if args.warmup is not None else 2 * settings.batch_size
        shorts = short_texts(warm_n + args.short + args.rss_tasks)
        warm, texts, rss = shorts[:warm_n], shorts[warm_n : warm_n + args.short], shorts[warm_n + args.short :]
        stages, growth = _measure.measure(_measure.sentiment_workload(settings), warm, texts, options, rss)
    if not args.skip_resumes:
        resumes = resume_texts(args.warmup_resumes + args.resumes)
        warm, texts = resumes[: args.warmup_resumes], resumes[args.warmup_resumes :]
        stages += _measure.measure(_measure.resume_workload(settings), warm, texts, options)[0]
    return stages, growth


# --- the report ---


def header(args: argparse.Namespace) -> str:
    import torch

    from config.settings import get_settings

    settings = get_settings()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores (load average {load}), torch {torch.get_num_threads()} threads per process; "
        f"runtime {settings.runtime}, device {settings.device}, {args.concurrency} worker process(es), "
        f"pool {args.pool}, batch {settings.batch_size} (résumés {settings.resume_batch_size}), "
        f"batch wait {settings.batch_wait_ms} ms"
    )


def _by_role(stages: list[Stage], workload: str, role: str) -> Stage | None:
    return next((s for s in stages if s.workload == workload and s.role == role), None)


def _ratio(stage: Stage, base: Stage | None) -> str:
    return f"{stage.rate / base.rate:.2f}" if base else "–"


def stage_table(stages: list[Stage]) -> str:
    lines = [
        "| workload | stage | items | s | items/s | × ceiling | × naive | CPU ms/item | notes |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for s in stages:
        ceiling, naive = _by_role(stages, s.workload, "ceiling"), _by_role(stages, s.workload, "naive")
        lines.append(
            f"| {s.workload} | {s.name} | {s.items} | {s.seconds:.2f} | {s.rate:.2f} | "
            f"{_ratio(s, ceiling)} | {_ratio(s, naive)} | {1000 * s.cpu_s / s.items:.0f} | {s.notes} |"
        )
    return "\n".join(lines)


def _verdict(value: float, target: float, higher_is_better: bool = True) -> str:
    met = value >= target if higher_is_better else value < target
    return "met" if met else "MISSED"


def _ratios(stage: Stage, base: Stage) -> tuple[float, float]:
    """How many times ``base``'s throughput ``stage`` reaches: by wall clock, and by CPU time per item."""
    return stage.rate / base.rate, (base.cpu_s / base.items) / (stage.cpu_s / stage.items)


def target_rows(stages: list[Stage]) -> list[tuple[str, float, float]]:
    """(target, wall-clock ratio, CPU-time ratio) for every workload that has the stages it needs."""
    rows = []
    for workload in dict.fromkeys(s.workload for s in stages):
        talentq = _by_role(stages, workload, "talentq")
        ceiling, naive = _by_role(stages, workload, "ceiling"), _by_role(stages, workload, "naive")
        if workload == "short texts" and talentq and naive:
            rows.append((f"{workload}: talentq ≥ {TARGET_VS_NAIVE:g}× naive", *_ratios(talentq, naive)))
        if talentq and ceiling:
            rows.append((f"{workload}: talentq ≥ {TARGET_VS_RAW}× raw", *_ratios(talentq, ceiling)))
    return rows


def target_table(stages: list[Stage], growth: MemoryGrowth | None) -> str:
    lines = ["| target | measured (wall clock) | verdict | by CPU time per item |", "|---|---:|---|---:|"]
    for name, wall, cpu in target_rows(stages):
        target = TARGET_VS_NAIVE if "naive" in name else TARGET_VS_RAW
        lines.append(f"| {name} | {wall:.2f}× | {_verdict(wall, target)} | {cpu:.2f}× |")
    name = f"worker peak RSS grows < {TARGET_RSS_GROWTH_PCT:g} % over the memory run"
    if growth is None:
        lines.append(f"| {name} | not run (--rss-tasks 0) | – | – |")
    else:
        pct = growth.percent("peak_mib")
        verdict = _verdict(pct, TARGET_RSS_GROWTH_PCT, higher_is_better=False)
        lines.append(f"| {name} ({growth.tasks:,} tasks) | {pct:+.1f} % | {verdict} | – |")
    return "\n".join(lines)


def memory_table(growth: MemoryGrowth) -> str:
    return "\n".join(
        [
            f"| pool process, {growth.tasks:,} sentiment tasks | before MiB | after MiB | growth |",
            "|---|---:|---:|---:|",
            f"| VmHWM (peak) | {growth.before.peak_mib:.1f} | {growth.after.peak_mib:.1f} | "
            f"{growth.percent('peak_mib'):+.1f} % |",
            f"| VmRSS (now) | {growth.before.rss_mib:.1f} | {growth.after.rss_mib:.1f} | "
            f"{growth.percent('rss_mib'):+.1f} % |",
        ]
    )


def baseline_line(stages: list[Stage]) -> str:
    """talentq's pipeline against a baseline checkout's, per workload, both timed in this run."""
    lines = []
    for s in stages:
        baseline = _by_role(stages, s.workload, "baseline")
        if s.role == "talentq" and baseline:
            lines.append(
                f"{s.workload}: talentq pipeline ÷ baseline = {s.rate / baseline.rate:.2f}× items/s "
                f"({baseline.rate:.1f} → {s.rate:.1f}), CPU ms/item {1000 * baseline.cpu_s / baseline.items:.0f} → "
                f"{1000 * s.cpu_s / s.items:.0f}"
            )
    return "\n".join(lines)


def report(args: argparse.Namespace, stages: list[Stage], growth: MemoryGrowth | None) -> str:
    parts = [header(args), stage_table(stages), target_table(stages, growth)]
    if args.baseline_tree:
        parts.append(baseline_line(stages))
    if growth is not None:
        parts.append(memory_table(growth))
    return "\n\n".join(parts)


def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    with (
        private_redis(f"{REDIS_URL}/{args.redis_db}"),
        fresh_database(PG_ADMIN_URL) as database_url,
        tempfile.TemporaryDirectory(prefix="talentq-bench-") as scratch,
    ):
        configure_environment(args, database_url)
        log_dir = args.log_dir or Path(scratch)
        log_dir.mkdir(parents=True, exist_ok=True)
        stages, growth = run(args, log_dir)
        print(report(args, stages, growth), flush=True)


if __name__ == "__main__":
    main()
