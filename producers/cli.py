"""The `talentq` command."""

from __future__ import annotations

import importlib
import os
import sys
import time
from collections.abc import Callable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from pydantic import ValidationError
from rich.console import Console

from config.logging import configure_logging
from config.settings import Settings, get_settings
from producers.errors import UserError, explain, queued_in_outbox

if TYPE_CHECKING:
    from celery.canvas import Signature
    from rich.progress import Progress

    from tasks.contract import WorkerLanes

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
subscriptions_app = typer.Typer(help="Outbound webhook subscriptions.", no_args_is_help=True)
api_app = typer.Typer(help="The read API for other systems.", no_args_is_help=True)
app.add_typer(subscriptions_app, name="subscriptions")
app.add_typer(api_app, name="api")
PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}
batch_app = typer.Typer(
    pretty_exceptions_show_locals=False,
    help="Nightly bulk runs: submit with backpressure, follow, resume.",
    no_args_is_help=True,
)
app.add_typer(batch_app, name="batch")
console = Console()


class Pool(StrEnum):
    prefork = "prefork"
    solo = "solo"


class LaneChoice(StrEnum):
    both = "both"
    interactive = "interactive"
    bulk = "bulk"


class ResultKind(StrEnum):
    resumes = "resumes"
    sentiment = "sentiment"
    themes = "themes"
    failures = "failures"


_state = {"debug": False}  # set by the --debug option, read by main() when a command fails

# The Celery app of `talentq worker`: tasks.app's, loaded through the producer module that registers the
# nightly task on it, so the tasks layer never loads the producers.
WORKER_APP = "producers.nightly"
SAMPLES = Path(__file__).resolve().parent.parent / "samples"
NEXT_STEPS = """
Next:
  talentq results failures                      what failed, by error code
  talentq rank backend-python-engineer          a posting's shortlist, with reasons
  With servers (README "Configuration"): export TALENTQ_DATABASE_URL=postgresql+psycopg2://user:pass@host/db
  TALENTQ_BROKER_URL=redis://localhost:6379/0, then `talentq db upgrade`, `talentq worker` and `talentq submit ...`
  docker-compose.yml runs all of it; docs/ has operations, faults and benchmarks."""


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


def _database_url() -> str:
    """The results database. The embedded default, an SQLite file, is migrated here: a newcomer's first command
    would otherwise meet an empty file (`no such table`); a server database is migrated by `talentq db upgrade`."""
    url = get_settings().database_url
    if url.startswith("sqlite"):
        from db.migrate import upgrade

        upgrade(url)
    return url


@submit_app.command("resumes")
def submit_resumes(
    folder: Path,
    posting: Annotated[Path | None, typer.Option(help="Posting file the résumés apply to (then scored).")] = None,
) -> None:
    """Store every résumé in FOLDER and enqueue parse (then score, with --posting)."""
    from db.session import session_scope
    from producers import enqueue, ingest

    settings = get_settings()
    url = _database_url()
    with session_scope(url) as session:
        job = ingest.posting_from_file(session, posting) if posting else None
        paths = ingest.resume_files(folder)
        if not paths:
            raise UserError(f"no résumés ({', '.join(sorted(ingest.RESUME_SUFFIXES))}) in {folder}")
        pairs = [ingest.add_resume(session, path, job, settings.max_document_bytes) for path in paths]
        jobs = [enqueue.parse_then_score_job(document_id, application_id) for document_id, application_id in pairs]
        enqueue.stage(session, jobs)
    _flush(url, jobs, f"{len(pairs)} résumés")
    console.print(f"enqueued {len(pairs)} résumés")


@submit_app.command("posting")
def submit_posting(path: Path) -> None:
    """Store a job posting (Markdown; first line is its title) and re-score its applications."""
    from db.models import Application
    from db.session import session_scope
    from producers import enqueue, ingest

    url = _database_url()
    with session_scope(url) as session:
        posting = ingest.posting_from_file(session, path)
        ids = [a.id for a in session.query(Application).filter_by(job_posting_id=posting.id)]
        jobs = [enqueue.score_job(application_id) for application_id in ids]
        enqueue.stage(session, jobs)
    _flush(url, jobs, f"posting {path.stem}")
    console.print(f"posting {path.stem} stored; {len(ids)} applications enqueued for scoring")


@submit_app.command("comments")
def submit_comments(path: Path) -> None:
    """Store comments from a CSV (id,source,text) and enqueue sentiment for each."""
    from db.session import session_scope
    from producers import enqueue, ingest

    url = _database_url()
    with session_scope(url) as session:
        ids = [c.id for c in ingest.comments_from_csv(session, path)]
        jobs = enqueue.sentiments_jobs(ids)
        enqueue.stage(session, jobs)
    _flush(url, jobs, f"{len(ids)} comments")
    console.print(f"enqueued {len(ids)} comments in {len(jobs)} messages")


def _flush(url: str, jobs: Sequence[Signature], what: str) -> None:
    """Send the jobs just committed; with the broker down they wait in the outbox, and the user is told so."""
    from producers import enqueue

    if pending := enqueue.flush(url, jobs):
        raise UserError(queued_in_outbox(what, pending, get_settings()))


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

    _database_url()
    submission = batch.submit(get_settings(), name, folder, chunk=chunk, max_depth=max_depth)
    run = submission.run
    skipped = f"; {submission.skipped} résumés already parsed, skipped" if folder else ""
    console.print(f"run {run.name}: {run.submitted} jobs, {run.done} done, {run.failed} failed so far{skipped}")
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


def _progress() -> Progress:
    """A bar per kind of job: done of total, and the time so far."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=console)


def _follow(name: str, poll_s: float = 1.0) -> None:
    from producers import batch

    settings = get_settings()
    with _progress() as progress:
        bar = progress.add_task(name, total=None)
        while True:
            run = batch.status(settings, name)
            progress.update(
                bar, total=run.submitted, completed=run.done + run.failed, description=f"{name} (failed {run.failed})"
            )
            if run.status != "running":  # finished, or failed (its folder was missing)
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
    queues: Annotated[
        str, typer.Option(help="Comma-separated queues; each also in its bulk lane, taken after the interactive one.")
    ] = "extract,resumes,sentiment,scoring,control",
    concurrency: Annotated[int | None, typer.Option(help="Processes (default TALENTQ_WORKER_CONCURRENCY).")] = None,
    pool: Annotated[Pool, typer.Option(help="prefork (CPU) or solo (one GPU process).")] = Pool.prefork,
    lanes: Annotated[LaneChoice, typer.Option(help="both (interactive first), interactive or bulk.")] = LaneChoice.both,
) -> None:
    """Run a Celery worker: `celery -A producers.nightly worker` (the tasks' app, with the nightly task
    registered on it) with talentq's flags, and its /metrics."""
    if lanes not in ("both", "interactive", "bulk"):
        raise typer.BadParameter("choose both, interactive or bulk", param_hint="--lanes")
    from tasks.metrics import MULTIPROC_ENV, prepare_multiprocess_dir

    # OpenMP threads that wait sleep instead of spinning: where cores are shared (other workers, other pods), spinning
    # threads fight for them, and a torch step took 6.3 s instead of 0.57 s on a busy 2-core machine.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # no weights' progress bars: JSON lines only
    from workers import registry

    registry.warm_up(get_settings())  # here, before the pool starts: its processes then only load the cache
    os.environ[MULTIPROC_ENV] = prepare_multiprocess_dir()
    # Celery of this interpreter, not the first `celery` on PATH: `.venv/bin/talentq worker` runs unactivated.
    concurrency = concurrency or get_settings().worker_concurrency
    command = worker_command(queues, concurrency, pool, lanes=cast("WorkerLanes", lanes.value))
    os.execv(sys.executable, [sys.executable, "-m", *command])


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

    Within that: two batches for a worker of one micro-batched queue alone (it must hold a whole batch to fill it,
    and the next one while that runs, or the pool idles between batches: 17 % of its time with one), sentiment
    (TALENTQ_BATCH_SIZE) or résumés (TALENTQ_RESUME_BATCH_SIZE). A worker of several kinds holds at most ``V // T``
    messages, since any of them may be a résumé (two batches of 64 held 128 résumés, and ran hundreds twice)."""
    from tasks.contract import BULK_SUFFIX

    rounds = max(1, settings.visibility_timeout_s // settings.task_time_limit_s)
    kinds = {queue.removesuffix(BULK_SUFFIX) for queue in queues}  # a bulk lane holds the same jobs
    batched = {"sentiment": settings.batch_size, "resumes": settings.resume_batch_size}
    sizes = [size for kind, size in batched.items() if kind in kinds]
    if not sizes:
        return 1
    if len(kinds) == 1:
        return sizes[0] * min(2, rounds)
    return min(2 * max(sizes), rounds)


def worker_command(
    queues: str, concurrency: int, pool: str, settings: Settings | None = None, lanes: WorkerLanes = "both"
) -> list[str]:
    """`celery worker` with talentq's flags; prefetch from ``prefetch_multiplier`` and the worker's settings."""
    from tasks.contract import with_lanes

    settings = settings or get_settings()
    chosen = with_lanes(queues.split(","), lanes)
    prefetch = prefetch_multiplier(chosen, settings)
    return [
        "celery",
        "--quiet",  # no banner: the worker's output is JSON log lines
        "-A",
        WORKER_APP,
        "worker",
        "-Q",
        ",".join(chosen),
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
    kind: Annotated[ResultKind, typer.Argument(help="What to show.")] = ResultKind.resumes,
    limit: int = 50,
    batch: Annotated[
        Path | None, typer.Option(help="themes only: the comments CSV of one submitted batch (its id column).")
    ] = None,
) -> None:
    """Show what landed in the database; `themes` summarises sentiment by theme, of all comments or of --batch."""
    from db.session import session_scope
    from producers import ingest, report

    tables = {"resumes": report.resumes_table, "sentiment": report.sentiment_table, "failures": report.failures_table}
    with session_scope(_database_url()) as session:
        if kind == ResultKind.themes:
            console.print(report.themes_table(session, ingest.comment_ids_from_csv(batch) if batch else None))
        else:
            console.print(tables[kind.value](session, limit))


@app.command()
def rank(posting: str, limit: int = 10) -> None:
    """The shortlist of POSTING (its external id, e.g. the posting file's stem)."""
    from db.models import JobPosting
    from db.session import session_scope
    from producers import report

    with session_scope(_database_url()) as session:
        if session.query(JobPosting.id).filter_by(external_id=posting).first() is None:
            raise UserError(f"no posting {posting!r}; store one with `talentq submit posting FILE`")
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
    with _progress() as progress:
        resumes = progress.add_task("résumés (parse, score)", total=len(jobs))
        comments = progress.add_task("comments (sentiment)", total=len(comment_ids))
        for document_id, application_id in jobs:
            enqueue.parse_then_score(document_id, application_id)
            progress.advance(resumes)
        for job in enqueue.sentiments_jobs(comment_ids):
            enqueue.send(job)
            progress.advance(comments, len(job.args[0]["comment_ids"]))
    elapsed = time.perf_counter() - started
    with session_scope(settings.database_url) as session:
        report.print_summary(console, session)
    console.print(f"{len(jobs)} résumés, {len(comment_ids)} comments in {elapsed:.1f} s → {settings.database_url}")
    console.print(NEXT_STEPS)


@app.command()
def erase(candidate: Annotated[str, typer.Option(help="The candidate's external id.")]) -> None:
    """Right to erasure: delete a candidate's documents, results, embeddings and failure rows."""
    from rich.table import Table

    from db.erasure import erase_candidate
    from db.session import session_scope

    try:
        with session_scope(_database_url()) as session:
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
        sys.argv[0] = ctx.command_path  # argparse's usage line: "talentq eval resumes", not "talentq"
        importlib.import_module(module).main(ctx.args)

    return command


for group, name, module, summary in DELEGATED:
    group.command(name, context_settings=PASS_THROUGH, help=f"{summary} (-h for its options)")(_delegate(module))


@webhooks_app.command("serve")
def webhooks_serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default TALENTQ_LISTEN_HOST).")] = None,
    port: int = 8000,
) -> None:
    """Serve POST /webhooks/{provider} (uvicorn producers.webhooks:app)."""
    from producers.webhooks import serve

    serve(host or get_settings().listen_host, port)


@app.callback()
def _options(
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an error, not one line.")] = False,
) -> None:
    """talentq: résumé parsing, sentiment and candidate scoring on Celery workers."""
    _state["debug"] = debug


@webhooks_app.command("deliver")
def webhooks_deliver() -> None:
    """Send queued outbound webhooks to their subscriptions, with retries, until stopped (SIGTERM, Ctrl-C)."""
    import signal
    import threading

    from producers.outbound import run

    settings = get_settings()
    if not settings.database_url.startswith("postgresql"):
        console.print("talentq webhooks deliver needs PostgreSQL: events are queued by its triggers")
        raise typer.Exit(1)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        run(settings, stop)
    except KeyboardInterrupt:
        stop.set()


@subscriptions_app.command("add")
def subscriptions_add(
    url: str,
    event: Annotated[
        list[str] | None, typer.Option(help="Event type to send (repeatable); none = every event.")
    ] = None,
) -> None:
    """Subscribe URL to job-ended events; prints its id and signing secret (shown once)."""
    from db.session import session_scope
    from db.subscriptions import add_subscription
    from producers.outbound import check_url, new_secret

    try:
        check_url(url)
    except ValueError as exc:
        console.print(str(exc))
        raise typer.Exit(1) from exc
    secret = new_secret()
    with session_scope(get_settings().database_url) as session:
        subscription_id = add_subscription(session, url, secret, event).id
    console.print(f"subscription {subscription_id}\nsecret {secret}", soft_wrap=True)


@subscriptions_app.command("list")
def subscriptions_list() -> None:
    """Active subscriptions (secrets not shown)."""
    from db.session import session_scope
    from db.subscriptions import active_subscriptions

    with session_scope(get_settings().database_url) as session:
        for sub in active_subscriptions(session):
            console.print(f"{sub.id}\t{sub.url}\t{','.join(sub.event_types or ['*'])}", soft_wrap=True)


@subscriptions_app.command("remove")
def subscriptions_remove(subscription_id: int) -> None:
    """Stop a subscription; its pending deliveries are cancelled, its delivery log kept."""
    from db.session import session_scope
    from db.subscriptions import remove_subscription

    with session_scope(get_settings().database_url) as session:
        if not remove_subscription(session, subscription_id):
            console.print(f"no active subscription {subscription_id}")
            raise typer.Exit(1)
    console.print(f"removed subscription {subscription_id}")


@api_app.command("serve")
def api_serve(host: str = "127.0.0.1", port: int = 8100) -> None:
    """Serve the read API (uvicorn producers.api:app); OpenAPI docs at /docs."""
    from producers.api import serve

    serve(host, port)


def main() -> None:
    try:
        settings = get_settings()
    except ValidationError as exc:  # a mistyped TALENTQ_ variable: one line, not a traceback
        error = exc.errors()[0]
        name = "".join(f" TALENTQ_{part}".upper() for part in error["loc"])
        sys.exit(f"talentq: invalid setting{name}: {error['msg'].removeprefix('Value error, ')}")
    configure_logging(settings.cli_log_level)
    try:
        app(prog_name="talentq")
    except Exception as exc:  # a configuration or infrastructure mistake: one line and exit 1, unless --debug
        line = None if _state["debug"] or settings.log_level == "DEBUG" else explain(exc, settings)
        if line is None:
            raise
        sys.exit(f"talentq: {line}")


if __name__ == "__main__":
    sys.exit(main())
