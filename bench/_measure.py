"""The measurements of ``bench.pipeline``: the model alone, the handler alone, whole pipelines.

Imports the Celery apps, so it must be imported only after ``bench.pipeline`` has put the
run's database, broker and runtime into the environment.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import delete, func, select

from bench import _parallel, naive
from bench._infra import ROOT, Memory, Worker, running_worker, tree_python, wait_for_count
from config.settings import Settings, get_settings
from db import repository
from db.models import Base, Embedding, ResumeResult, SentimentResult
from db.session import session_scope
from producers import enqueue
from producers.cli import worker_command
from tasks import handlers
from tasks.contract import AnalyzeSentimentPayload, ParseResumePayload
from workers import registry
from workers.engine import phrase_cache
from workers.engine.encoder import Encoder
from workers.engine.model_clock import model_time
from workers.resume.parser import ResumeParser
from workers.sentiment.model import SentimentModel

WORKER_READY_TIMEOUT_S = 300
BATCH1_TEXTS = 64  # batch-of-one model work is slow; a sample of it is enough for the per-item rate
Texts = Sequence[str]
SHORT, RESUMES = "short texts", "résumés"
Submit = Callable[[Sequence[int]], object]  # puts jobs for these ids on the queue, as a producer would


@dataclass(frozen=True)
class Stage:
    """One measured way of doing a workload: ``items`` texts in ``seconds``."""

    workload: str
    name: str
    items: int
    seconds: float
    role: str = ""  # "ceiling", "naive", "talentq" or "baseline": what the ratios are taken against
    cpu_s: float = 0.0  # CPU seconds of the process(es) doing the work: less noisy than wall time on shared cores
    notes: str = ""

    @property
    def rate(self) -> float:
        return self.items / self.seconds


@dataclass(frozen=True)
class MemoryGrowth:
    """A pool process's memory before and after ``tasks`` more jobs."""

    tasks: int
    before: Memory
    after: Memory

    def percent(self, attr: str) -> float:
        first = getattr(self.before, attr)
        return 100.0 * (getattr(self.after, attr) - first) / first


@dataclass(frozen=True)
class Options:
    """The run's knobs that are not settings."""

    concurrency: int
    pool: str
    log_dir: Path
    timeout_s: float
    baseline_tree: Path | None = None  # another checkout whose talentq pipeline is timed in the same run


# --- rows in the database ---


def store_comments(url: str, texts: Texts, prefix: str) -> list[int]:
    """Comments as ``talentq submit comments`` stores them; returns their ids."""
    with session_scope(url) as session:
        return [repository.add_comment(session, f"{prefix}-{i}", "survey", t).id for i, t in enumerate(texts)]


def store_resumes(url: str, texts: Texts, prefix: str) -> list[int]:
    """Résumés as ``.txt`` documents of candidates of their own; returns the document ids."""
    ids = []
    with session_scope(url) as session:
        for i, text in enumerate(texts):
            content = text.encode()
            candidate = repository.add_candidate(session, f"{prefix}-{i}")
            digest = repository.sha256(content)
            ids.append(
                repository.add_document(session, candidate.id, f"{prefix}-{i}.txt", content, digest, len(content)).id
            )
    return ids


def count_rows(url: str, table: type[Base], version: str) -> int:
    with session_scope(url) as session:
        return session.scalar(select(func.count()).select_from(table).where(table.model_version == version))


def jobs_per_transaction(url: str, table: type[Base], version: str) -> float:
    """Rows written by one transaction share Postgres's ``xmin``: rows ÷ distinct xmin = batch size."""
    sql = f"SELECT count(*), count(DISTINCT xmin::text) FROM {table.__tablename__} WHERE model_version = :v"
    with session_scope(url) as session:
        rows, transactions = session.execute(sa.text(sql), {"v": version}).one()
    return rows / max(transactions, 1)


def forget_results(url: str, table: type[Base], version: str, encoder_version: str) -> None:
    """Drop a version's rows and cached embeddings, so the next stage computes and writes them afresh."""
    with session_scope(url) as session:
        session.execute(delete(table).where(table.model_version == version))
        session.execute(delete(Embedding).where(Embedding.model_version == encoder_version))


# --- in-process work ---


def chunks(items: Sequence, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def timed(work: Callable[[], object]) -> tuple[float, float]:
    """(wall seconds, this process's CPU seconds) of ``work()``."""
    started, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - started, time.process_time() - cpu


def embed_batches(encoder: Encoder, batch: int) -> Callable[[Texts], object]:
    return lambda texts: [encoder.embed(chunk) for chunk in chunks(texts, batch)]


def parse_and_embed(parser: ResumeParser, batch: int, texts: Texts) -> None:
    """The model work of parse jobs, ``batch`` résumés at a time as a handler takes them: parse, then embed."""
    for chunk in chunks(texts, batch):
        parser.parse_many(chunk)
        parser.encoder.embed(list(chunk))


# --- real workers ---


@dataclass(frozen=True)
class Pipeline:
    """A queue and its worker: the worker's argv, how to submit ids, how many rows it has written."""

    name: str
    role: str
    argv: list[str]
    submit: Submit
    table: type[Base]
    version: str
    url: str
    tree: Path = ROOT  # the checkout its worker runs

    def rows(self) -> int:
        return count_rows(self.url, self.table, self.version)


def submit_and_wait(pipeline: Pipeline, worker: Worker, ids: Sequence[int], timeout: float) -> tuple[float, float]:
    """Submit every id, then poll the row count: (submit seconds, first submit → last row seconds)."""
    target = pipeline.rows() + len(ids)

    def rows() -> int:
        if not worker.alive():
            raise RuntimeError(f"{pipeline.name}: worker exited\n{worker.log_tail()}")
        return pipeline.rows()

    started = time.perf_counter()
    pipeline.submit(ids)
    submitted = time.perf_counter()
    finished = wait_for_count(rows, target, timeout, f"{pipeline.name}: {len(ids)} rows")
    return submitted - started, finished - started


@contextmanager
def warmed_worker(pipeline: Pipeline, warm_ids: Sequence[int], options: Options) -> Iterator[Worker]:
    """A started worker that has done ``warm_ids`` already: models loaded, first passes paid."""
    log_path = options.log_dir / f"{pipeline.role}-{pipeline.table.__tablename__}.log"
    with running_worker(pipeline.argv, log_path, dict(os.environ), pipeline.tree) as worker:
        submit_and_wait(pipeline, worker, warm_ids, WORKER_READY_TIMEOUT_S)
        yield worker


def pipeline_stage(workload: str, pipeline: Pipeline, worker: Worker, ids: Sequence[int], timeout: float) -> Stage:
    parent, pool = worker.cpu_seconds()
    submit_s, total_s = submit_and_wait(pipeline, worker, ids, timeout)
    parent_after, pool_after = worker.cpu_seconds()
    parent, pool = parent_after - parent, pool_after - pool
    per_txn = jobs_per_transaction(pipeline.url, pipeline.table, pipeline.version)
    notes = (
        f"submit {len(ids) / submit_s:,.0f}/s; {per_txn:.1f} jobs/transaction; CPU ms/item: "
        f"worker parent {1000 * parent / len(ids):.0f}, pool {1000 * pool / len(ids):.0f}"
    )
    return Stage(workload, pipeline.name, len(ids), total_s, pipeline.role, parent + pool, notes)


def memory_growth(pipeline: Pipeline, worker: Worker, ids: Sequence[int], timeout: float) -> MemoryGrowth:
    before = worker.pool_memory()
    submit_and_wait(pipeline, worker, ids, timeout)
    return MemoryGrowth(len(ids), before, worker.pool_memory())


def talentq_pipeline(
    settings: Settings, options: Options, queue: str, table: type[Base], version: str, submit: Submit
) -> Pipeline:
    argv = worker_command(queue, options.concurrency, options.pool)
    return Pipeline(
        f"talentq pipeline ({settings.runtime})", "talentq", argv, submit, table, version, settings.database_url
    )


def baseline_pipeline(settings: Settings, options: Options, work: Workload, tree: Path) -> Pipeline:
    """talentq's pipeline as another checkout (e.g. main) runs it: its worker, its model version, same queue."""
    script = (
        "from config.settings import get_settings; from tasks import handlers; from workers import registry; "
        f"settings = get_settings(); print({work.version_expr})"
    )
    run = partial(subprocess.run, cwd=tree, env=dict(os.environ), capture_output=True, text=True, check=True)
    version = run([tree_python(tree), "-c", script]).stdout.strip().splitlines()[-1]
    commit = run(["git", "rev-parse", "--short", "HEAD"]).stdout.strip()
    argv = worker_command(work.queue, options.concurrency, options.pool)
    name = f"talentq pipeline ({settings.runtime}), baseline {tree.name}@{commit}"
    return Pipeline(name, "baseline", argv, work.submit, work.table, version, settings.database_url, tree)


def naive_pipeline(settings: Settings, options: Options, table: type[Base], version: str, submit: Submit) -> Pipeline:
    argv = ["celery", "-A", "bench.naive", "worker", "-Q", naive.QUEUE, "-c", str(options.concurrency)]
    argv += ["-P", options.pool, "--loglevel", "WARNING"]
    return Pipeline("naive pipeline (fp32, batch 1)", "naive", argv, submit, table, version, settings.database_url)


# --- the two workloads ---


@dataclass(frozen=True)
class ModelStage:
    """Model work in this process on the workload's texts (at most ``limit`` of them). A ``parallel`` stage
    runs in as many fresh processes as the workers have (``bench._parallel``) when there are several."""

    name: str
    work: Callable[[Texts], object]
    role: str = ""
    limit: int | None = None
    parallel: bool = False


@dataclass(frozen=True)
class Workload:
    """Everything that differs between short texts and résumés; ``measure`` does the rest."""

    name: str
    store: Callable[[str, Texts, str], list[int]]
    table: type[Base]
    queue: str
    version: str
    version_expr: str  # Python that gives ``version`` from ``settings`` (run in a baseline checkout too)
    models: list[ModelStage]
    handler: Callable[[Sequence[int]], object]  # the talentq handler, in process, on ids
    submit: Submit
    naive_version: str
    naive_submit: Submit
    batch: int  # jobs per handler call, as a worker takes them
    fresh: Callable[[], None] = lambda: None  # reset per-process caches before a stage


def analyze(sentiment: SentimentModel, size: int) -> Callable[[Texts], object]:
    """The model work of sentiment jobs: ``analyze`` on ``size`` texts at a time."""
    return lambda texts: [sentiment.analyze(chunk) for chunk in chunks(texts, size)]


def model_work(workload: str, settings: Settings, batch: int) -> Callable[[Texts], object]:
    """talentq's model work for a workload's texts, with this process's models (the ceiling's work)."""
    _, sentiment = talentq_models(settings)
    if workload == SHORT:
        return analyze(sentiment, batch)
    return partial(parse_and_embed, registry.resume_parser(settings), batch)


def sentiment_workload(settings: Settings) -> Workload:
    _, model = talentq_models(settings)
    fp32_encoder, fp32_model, _ = naive._models()
    batch = settings.batch_size

    def handler(ids: Sequence[int]) -> None:
        for chunk in chunks(ids, batch):
            handlers.analyze_sentiments([AnalyzeSentimentPayload(comment_id=i) for i in chunk])

    return Workload(
        name=SHORT,
        store=store_comments,
        table=SentimentResult,
        queue="sentiment",
        version=model.version,
        version_expr="registry.sentiment_model(settings).version",
        models=[
            ModelStage(f"raw fp32 encoder, embed only, batch {batch} (reference)", embed_batches(fp32_encoder, batch)),
            ModelStage(
                f"raw fp32 sentiment model, batch 1, first {BATCH1_TEXTS} texts (naive's model work)",
                analyze(fp32_model, 1),
                limit=BATCH1_TEXTS,
            ),
            ModelStage(
                f"raw sentiment model, batch {batch} ({settings.runtime}: ceiling)",
                model_work(SHORT, settings, batch),
                "ceiling",
                parallel=True,
            ),
        ],
        handler=handler,
        submit=enqueue.sentiments,  # a bulk producer: one message per batch of comments
        naive_version=naive.sentiment_version(),
        naive_submit=lambda ids: [naive.sentiment.apply_async(args=[i]) for i in ids],
        batch=batch,
    )


def resume_workload(settings: Settings) -> Workload:
    fp32_encoder, *_ = naive._models()
    batch = settings.resume_batch_size

    def handler(ids: Sequence[int]) -> None:
        for chunk in chunks(ids, batch):
            handlers.parse_resumes([ParseResumePayload(document_id=i) for i in chunk])

    return Workload(
        name=RESUMES,
        store=store_resumes,
        table=ResumeResult,
        queue="resumes",
        version=handlers.resume_model_version(settings),
        version_expr="handlers.resume_model_version(settings)",
        models=[
            ModelStage("raw fp32 encoder, embed only (reference)", embed_batches(fp32_encoder, 32)),
            ModelStage(
                f"raw parse + embed ({settings.runtime}: ceiling)",
                model_work(RESUMES, settings, batch),
                "ceiling",
                parallel=True,
            ),
        ],
        handler=handler,
        submit=lambda ids: [enqueue.parse_then_score(i, None) for i in ids],
        naive_version=naive.resume_version(),
        naive_submit=lambda ids: [naive.parse.apply_async(args=[i]) for i in ids],
        batch=batch,
        fresh=phrase_cache._cache.clear,
    )


def talentq_models(settings: Settings) -> tuple[Encoder, SentimentModel]:
    registry.configure_torch(settings)
    return registry.encoder(settings), registry.sentiment_model(settings)


def measure(
    work: Workload, warm: Texts, texts: Texts, options: Options, rss_texts: Texts = ()
) -> tuple[list[Stage], MemoryGrowth | None]:
    """Model alone → naive pipeline → (a baseline checkout's talentq pipeline →) talentq pipeline (→ memory over
    ``rss_texts`` more jobs) → handler alone."""
    settings = get_settings()
    url = settings.database_url
    warm_ids, ids = work.store(url, warm, "warm"), work.store(url, texts, "timed")
    stages = [_model_stage(work, model, warm, texts, options.concurrency) for model in work.models]

    naive_p = naive_pipeline(settings, options, work.table, work.naive_version, work.naive_submit)
    with warmed_worker(naive_p, warm_ids, options) as worker:
        stages.append(pipeline_stage(work.name, naive_p, worker, ids, options.timeout_s))

    if options.baseline_tree:
        baseline_p = baseline_pipeline(settings, options, work, options.baseline_tree)
        with warmed_worker(baseline_p, warm_ids, options) as worker:
            stages.append(pipeline_stage(work.name, baseline_p, worker, ids, options.timeout_s))

    growth = None
    talentq_p = talentq_pipeline(settings, options, work.queue, work.table, work.version, work.submit)
    with warmed_worker(talentq_p, warm_ids, options) as worker:
        stages.append(pipeline_stage(work.name, talentq_p, worker, ids, options.timeout_s))
        if rss_texts:
            rss_ids = work.store(url, rss_texts, "rss")
            growth = memory_growth(talentq_p, worker, rss_ids, options.timeout_s * (1 + len(rss_ids) / len(ids)))

    forget_results(url, work.table, work.version, registry.encoder(settings).info.version)
    handler = "talentq handler in-process (model + Postgres, no queue)"
    stages.append(_model_stage(work, ModelStage(handler, work.handler), warm_ids, ids))
    return stages, growth


def _model_stage(work: Workload, model: ModelStage, warm: Sequence, items: Sequence, processes: int = 1) -> Stage:
    """A stage without queue: fresh caches, the warm-up items, then the timed items, in this process or,
    for a parallel stage, in ``processes`` processes."""
    items = items[: model.limit]
    if model.parallel and processes > 1:
        seconds, cpu = _parallel.run(partial(model_work, work.name), work.batch, warm, items, processes)
        name = f"{model.name}, {processes} processes"
        notes = ""
    else:
        work.fresh()
        model.work(warm)
        before = model_time()
        seconds, cpu = timed(lambda: model.work(items))
        in_model = model_time().cpu_s - before.cpu_s
        name = model.name
        per_item = 1000 / len(items)
        notes = f"CPU ms/item: model {in_model * per_item:.0f}, the rest {(cpu - in_model) * per_item:.0f}"
    return Stage(work.name, name, len(items), seconds, model.role, cpu, notes)
