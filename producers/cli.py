"""The `talentq` command."""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from config.logging import configure_logging
from config.settings import Settings, get_settings

app = typer.Typer(
    pretty_exceptions_show_locals=False,
    help="talentq: résumé parsing, sentiment and candidate scoring on Celery workers.",
    no_args_is_help=True,
)
db_app = typer.Typer(pretty_exceptions_show_locals=False, help="Database schema.", no_args_is_help=True)
submit_app = typer.Typer(pretty_exceptions_show_locals=False, help="Enqueue jobs.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(submit_app, name="submit")
eval_app = typer.Typer(help="Evaluations on labelled data (see README for the tables).", no_args_is_help=True)
train_app = typer.Typer(help="Training of the shipped models.", no_args_is_help=True)
webhooks_app = typer.Typer(help="The HRIS webhook receiver.", no_args_is_help=True)
models_app = typer.Typer(help="Derived model data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(train_app, name="train")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(models_app, name="models")
PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}
batch_app = typer.Typer(
    pretty_exceptions_show_locals=False,
    help="Nightly bulk runs: submit with backpressure, follow, resume.",
    no_args_is_help=True,
)
app.add_typer(batch_app, name="batch")
console = Console()

# The Celery app of `talentq worker`: tasks.app's, loaded through the producer module that registers the
# nightly task on it, so the tasks layer never loads the producers.
WORKER_APP = "producers.nightly"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply migrations to TALENTQ_DATABASE_URL."""
    from db.migrate import upgrade

    upgrade(get_settings().database_url, revision)
    console.print(f"database at revision {revision}")


@db_app.command("downgrade")
def db_downgrade(revision: str) -> None:
    from db.migrate import downgrade

    downgrade(get_settings().database_url, revision)


@submit_app.command("resumes")
def submit_resumes(
    folder: Path,
    posting: Annotated[Path | None, typer.Option(help="Posting file the résumés apply to (then scored).")] = None,
) -> None:
    """Store every résumé in FOLDER and enqueue parse (then score, with --posting)."""
    from db.session import session_scope
    from producers import enqueue, ingest

    settings = get_settings()
    with session_scope(settings.database_url) as session:
        job = ingest.posting_from_file(session, posting) if posting else None
        pairs = [
            ingest.add_resume(session, path, job, settings.max_document_bytes) for path in ingest.resume_files(folder)
        ]
    for document_id, application_id in pairs:
        enqueue.parse_then_score(document_id, application_id)
    console.print(f"enqueued {len(pairs)} résumés")


@submit_app.command("posting")
def submit_posting(path: Path) -> None:
    """Store a job posting (Markdown; first line is its title) and re-score its applications."""
    from db.models import Application
    from db.session import session_scope
    from producers import enqueue, ingest

    with session_scope(get_settings().database_url) as session:
        posting = ingest.posting_from_file(session, path)
        ids = [a.id for a in session.query(Application).filter_by(job_posting_id=posting.id)]
    for application_id in ids:
        enqueue.score(application_id)
    console.print(f"posting {path.stem} stored; {len(ids)} applications enqueued for scoring")


@submit_app.command("comments")
def submit_comments(path: Path) -> None:
    """Store comments from a CSV (id,source,text) and enqueue sentiment for each."""
    from db.session import session_scope
    from producers import enqueue, ingest

    with session_scope(get_settings().database_url) as session:
        ids = [c.id for c in ingest.comments_from_csv(session, path)]
    messages = enqueue.sentiments(ids)
    console.print(f"enqueued {len(ids)} comments in {len(messages)} messages")


@batch_app.command("submit")
def batch_submit(
    name: Annotated[str, typer.Option(help="Run name; the same name continues an interrupted run.")],
    folder: Annotated[Path | None, typer.Option(help="Folder of résumés to parse.")] = None,
    chunk: Annotated[int, typer.Option(help="Jobs sent per round.")] = 100,
    max_depth: Annotated[int, typer.Option(help="Most messages waiting in the queue.")] = 1000,
    follow: Annotated[bool, typer.Option(help="Show progress until the run ends.")] = True,
) -> None:
    """Enqueue a folder's résumés and every application without a current result, as run NAME."""
    from producers import batch

    run = batch.submit(get_settings(), name, folder, chunk=chunk, max_depth=max_depth)
    console.print(f"run {run.name}: {run.submitted} jobs ({run.done} already done)")
    if follow:
        _follow(name)


@batch_app.command("status")
def batch_status(
    name: str, follow: Annotated[bool, typer.Option(help="Show progress until the run ends.")] = False
) -> None:
    """Counts of run NAME (and a live progress bar with --follow), then its summary."""
    if follow:
        _follow(name)
    else:
        _print_run_summary(name)


def _follow(name: str, poll_s: float = 1.0) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from producers import batch

    settings = get_settings()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as progress:
        bar = progress.add_task(name, total=None)
        while True:
            run = batch.status(settings, name)
            progress.update(
                bar, total=run.submitted, completed=run.done + run.failed, description=f"{name} (failed {run.failed})"
            )
            if run.status == "finished":
                break
            time.sleep(poll_s)
    _print_run_summary(name)


def _print_run_summary(name: str) -> None:
    from producers import batch, report

    settings = get_settings()
    run = batch.status(settings, name)
    console.print(report.batch_summary(run, batch.failures_by_code(settings, run.id)))


@app.command()
def worker(
    queues: Annotated[str, typer.Option(help="Comma-separated queues.")] = "extract,resumes,sentiment,scoring,control",
    concurrency: Annotated[int | None, typer.Option(help="Processes (default TALENTQ_WORKER_CONCURRENCY).")] = None,
    pool: Annotated[str, typer.Option(help="prefork (CPU) or solo (one GPU process).")] = "prefork",
) -> None:
    """Run a Celery worker: `celery -A producers.nightly worker` (the tasks' app, with the nightly task
    registered on it) with talentq's flags, and its /metrics."""
    from tasks.metrics import MULTIPROC_ENV, prepare_multiprocess_dir

    # OpenMP threads that wait sleep instead of spinning: where cores are shared (other workers, other pods), spinning
    # threads fight for them, and a torch step took 6.3 s instead of 0.57 s on a busy 2-core machine.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    models_warm()  # here, before the pool starts: its processes then only load the cache
    os.environ[MULTIPROC_ENV] = prepare_multiprocess_dir()
    os.execvp("celery", worker_command(queues, concurrency or get_settings().worker_concurrency, pool))


@models_app.command("warm")
def models_warm() -> None:
    """Build the cache of derived model data (the skill taxonomy's embeddings, keyed by encoder version,
    under TALENTQ_CACHE_DIR) ahead of time: at image build and worker start, so no job computes it."""
    from workers import registry

    path = registry.warm_up(get_settings())
    console.print(f"Models warm; taxonomy embeddings in {path}")


def prefetch_multiplier(queues: list[str], settings: Settings) -> int:
    """Messages a worker holds per process. Redis hands a message out again once it has gone unacknowledged
    for the visibility timeout, even to the live worker that still holds it, so a process holds no more than
    it can finish within that timeout at the time limit per job: ``V // T`` jobs (a micro-batch is one job).

    Within that: 1 for one-at-a-time tasks; two batches for a worker of the micro-batched sentiment queue
    alone (it must hold a whole batch to fill it, and the next one while that runs, or the pool idles between
    batches: 17 % of its time with one). A worker of sentiment and other queues holds at most ``V // T``
    messages, since any of them may be a résumé (two batches of 64 held 128 résumés, and ran hundreds twice)."""
    rounds = max(1, settings.visibility_timeout_s // settings.task_time_limit_s)
    if "sentiment" not in queues:
        return 1
    if set(queues) == {"sentiment"}:
        return settings.batch_size * min(2, rounds)
    return min(2 * settings.batch_size, rounds)


def worker_command(queues: str, concurrency: int, pool: str, settings: Settings | None = None) -> list[str]:
    """`celery worker` with talentq's flags; prefetch from ``prefetch_multiplier`` and the worker's settings."""
    settings = settings or get_settings()
    prefetch = prefetch_multiplier(queues.split(","), settings)
    return [
        "celery",
        "-A",
        WORKER_APP,
        "worker",
        "-Q",
        queues,
        "-c",
        str(concurrency),
        "-P",
        pool,
        "-E",
        "--prefetch-multiplier",
        str(prefetch),
        "--loglevel",
        settings.log_level,
    ]


@app.command()
def results(
    kind: Annotated[str, typer.Argument(help="resumes | sentiment | themes | failures")] = "resumes",
    limit: int = 50,
    batch: Annotated[
        Path | None, typer.Option(help="themes only: the comments CSV of one submitted batch (its id column).")
    ] = None,
) -> None:
    """Show what landed in the database; `themes` summarises sentiment by theme, of all comments or of --batch."""
    from db.session import session_scope
    from producers import ingest, report

    tables = {"resumes": report.resumes_table, "sentiment": report.sentiment_table, "failures": report.failures_table}
    if kind not in (*tables, "themes"):
        raise typer.BadParameter(f"choose one of {', '.join(tables)}, themes")
    with session_scope(get_settings().database_url) as session:
        if kind == "themes":
            console.print(report.themes_table(session, ingest.comment_ids_from_csv(batch) if batch else None))
        else:
            console.print(tables[kind](session, limit))


@app.command()
def rank(posting: str, limit: int = 10) -> None:
    """The shortlist of POSTING (its external id, e.g. the posting file's stem)."""
    from db.session import session_scope
    from producers import report

    with session_scope(get_settings().database_url) as session:
        console.print(report.ranking_table(session, posting, limit))


@app.command()
def run(
    samples: Annotated[
        Path, typer.Option(help="Folder with resumes/, postings/, applications.csv, comments.csv.")
    ] = SAMPLES,
) -> None:
    """The main job, in-process: ingest the samples, run every task, print a summary."""
    from db.migrate import upgrade
    from db.session import session_scope
    from producers import enqueue, ingest, report
    from tasks.app import app as celery_app

    settings = get_settings()
    celery_app.conf.task_always_eager = True  # same tasks, run here: no broker needed
    upgrade(settings.database_url)
    started = time.perf_counter()
    with session_scope(settings.database_url) as session:
        applications = ingest.applications_from_csv(
            session,
            samples / "applications.csv",
            samples / "resumes",
            samples / "postings",
            settings.max_document_bytes,
        )
        jobs = [(a.document_id, a.id) for a in applications]
        comment_ids = [c.id for c in ingest.comments_from_csv(session, samples / "comments.csv")]
    with console.status(f"running {len(jobs)} résumés and {len(comment_ids)} comments in-process"):
        for document_id, application_id in jobs:
            enqueue.parse_then_score(document_id, application_id)
        enqueue.sentiments(comment_ids)
    elapsed = time.perf_counter() - started
    with session_scope(settings.database_url) as session:
        report.print_summary(console, session)
    console.print(f"{len(jobs)} résumés, {len(comment_ids)} comments in {elapsed:.1f} s → {settings.database_url}")


@app.command()
def erase(candidate: Annotated[str, typer.Option(help="The candidate's external id.")]) -> None:
    """Right to erasure: delete a candidate's documents, results, embeddings and failure rows."""
    from rich.table import Table

    from db.erasure import erase_candidate
    from db.session import session_scope

    try:
        with session_scope(get_settings().database_url) as session:
            deleted = erase_candidate(session, candidate)
    except LookupError as exc:
        console.print(str(exc))
        raise typer.Exit(1) from exc
    table = Table("table", "rows deleted", title=f"Erased candidate {candidate}")
    for name, count in deleted.items():
        table.add_row(name, str(count))
    console.print(table)


# Evaluation and training commands own their flags (argparse in each module); the CLI routes to them.
DELEGATED = [
    (eval_app, "resumes", "evaluation.resumes", "Field P/R/F1 of the parser: [PATH] [--limit N] [--cv K|halves]."),
    (eval_app, "sentiment", "evaluation.sentiment", "talentq vs VADER vs frozen-encoder baseline: --data TSV."),
    (eval_app, "ranking", "evaluation.ranking", "Precision@k of same-category candidates per posting."),
    (train_app, "sentiment", "training.sentiment", "Fine-tune the bundled sentiment head: --data TSV [--seed 13]."),
    (train_app, "resume-ner", "training.resume_entities", "Train the résumé entity model: --data JSONL [--seed 13]."),
]


def _delegate(module: str) -> Callable[[typer.Context], None]:
    def command(ctx: typer.Context) -> None:
        importlib.import_module(module).main(ctx.args)

    return command


for group, name, module, summary in DELEGATED:
    group.command(name, context_settings=PASS_THROUGH, help=f"{summary} (-h for its options)")(_delegate(module))


@webhooks_app.command("serve")
def webhooks_serve(host: str = "0.0.0.0", port: int = 8000) -> None:
    """Serve POST /webhooks/{provider} (uvicorn producers.webhooks:app)."""
    from producers.webhooks import serve

    serve(host, port)


def main() -> None:
    try:
        settings = get_settings()
    except ValidationError as exc:  # a mistyped TALENTQ_ variable: one line, not a traceback
        error = exc.errors()[0]
        name = "".join(f" TALENTQ_{part}".upper() for part in error["loc"])
        sys.exit(f"talentq: invalid setting{name}: {error['msg'].removeprefix('Value error, ')}")
    configure_logging(settings.cli_log_level)
    app(prog_name="talentq")


if __name__ == "__main__":
    sys.exit(main())
