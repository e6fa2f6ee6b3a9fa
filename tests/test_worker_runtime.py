"""Models load once per worker process, after the fork, never in a parent (CUDA cannot be forked)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

from config.settings import get_settings
from db import repository
from db.models import ResumeResult
from db.session import session_scope
from producers import enqueue
from producers.cli import prefetch_multiplier, worker_command
from tests.support import GOOD_RESUME, ROOT, WorkerProcess, wait_for
from workers.engine.encoder import encoder_version
from workers.resume.skills import default_taxonomy

PARENT_CHECK = """
import torch
import tasks.jobs, producers.cli, producers.webhooks  # everything a worker's parent or a producer imports
from tasks.app import app
from workers import registry
assert registry._encoder.cache_info().currsize == 0, "a model was loaded at import time"
assert not torch.cuda.is_initialized(), "CUDA was initialised at import time"
print("clean")
"""


def test_importing_the_app_loads_no_model_and_touches_no_gpu():
    done = subprocess.run([sys.executable, "-c", PARENT_CHECK], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "clean", done.stderr[-2000:]


def test_the_encoder_is_loaded_once_per_process(encoder):
    from workers import registry

    assert registry.encoder(get_settings()) is encoder
    assert registry.encoder(get_settings()) is registry.encoder(get_settings())


def test_worker_command_sizes_prefetch_to_the_work():
    settings = get_settings()
    gpu = worker_command("resumes,sentiment,scoring", 1, "solo")
    cpu = worker_command("resumes,control", 4, "prefork")
    assert gpu[gpu.index("-P") + 1] == "solo" and gpu[gpu.index("-c") + 1] == "1"
    assert "-E" in gpu and "-E" in cpu  # task events for Flower
    rounds = settings.visibility_timeout_s // settings.task_time_limit_s
    # Résumés are micro-batched too: a worker of résumés and control holds what it may run in time.
    assert cpu[cpu.index("--prefetch-multiplier") + 1] == str(min(rounds, 2 * settings.resume_batch_size))
    # A mixed worker holds no more than it can run within the visibility timeout at the time limit each.
    assert gpu[gpu.index("--prefetch-multiplier") + 1] == str(min(rounds, 2 * settings.batch_size))
    short = settings.model_copy(update={"visibility_timeout_s": 20, "task_time_limit_s": 15})
    assert prefetch_multiplier(["sentiment"], settings) == 2 * settings.batch_size
    assert prefetch_multiplier(["sentiment"], short) == settings.batch_size
    assert prefetch_multiplier(["resumes", "sentiment"], short) == 1
    assert prefetch_multiplier(["resumes"], settings) == 2 * settings.resume_batch_size
    assert prefetch_multiplier(["resumes", "resumes.bulk"], short) == settings.resume_batch_size
    assert prefetch_multiplier(["scoring"], settings) == 1


def test_versions_known_without_loading_match_the_loaded_encoder(encoder):
    from tasks.handlers import resume_model_version
    from workers.engine.encoder import encoder_version

    assert encoder_version(None, "fp32") == encoder.info.version
    assert resume_model_version(get_settings()).endswith(encoder.info.version)


def test_a_mistyped_setting_is_one_line_not_a_traceback():
    env = {**os.environ, "TALENTQ_RUNTIME": "fp8"}
    argv = [sys.executable, "-m", "producers.cli", "results", "failures"]
    done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("talentq: invalid setting TALENTQ_RUNTIME: ")


def test_talentq_worker_warms_the_taxonomy_cache_before_any_job_and_the_parse_reuses_it(tmp_path, database_url):
    """A fresh cache: `talentq worker` builds the taxonomy's embeddings, keyed by encoder version, before it
    takes a job; parsing a résumé then loads them and computes none (computing would rewrite the file)."""
    cache = tmp_path / "cache"
    settings = get_settings()
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"  # `talentq worker` execs celery
    env = {"TALENTQ_CACHE_DIR": str(cache), "TALENTQ_METRICS_PORT": "0", "PATH": path}
    talentq_worker = [sys.executable, "-m", "producers.cli", "worker", "--queues", "resumes", "--concurrency", "1"]
    worker = WorkerProcess(tmp_path / "worker.log", "resumes", 1, env, command=talentq_worker)
    try:
        (cached,) = cache.glob("skills-*.npy")  # there before any job was sent
        version = hashlib.sha256(encoder_version(settings.encoder_model, settings.runtime).encode()).hexdigest()
        assert cached.name.endswith(f"-{version[:12]}.npy")
        assert np.load(cached).shape[0] == len(default_taxonomy().phrases) > 5000
        written = cached.stat().st_ino, cached.stat().st_mtime_ns

        content = (GOOD_RESUME + "\nReference: warm-cache\n").encode()
        with session_scope(database_url) as session:
            candidate = repository.add_candidate(session, "warm-cache")
            document_id = repository.add_document(
                session, candidate.id, "cv.txt", content, repository.sha256(content), len(content)
            ).id
        enqueue.parse_then_score(document_id, None)

        def parsed() -> int:
            with session_scope(database_url) as session:
                query = select(func.count()).select_from(ResumeResult).filter_by(document_id=document_id)
                return session.scalar(query)

        wait_for(parsed, 240, what="résumé parsed", progress=worker.activity)
        assert list(cache.glob("skills-*.npy")) == [cached]
        assert (cached.stat().st_ino, cached.stat().st_mtime_ns) == written
    finally:
        worker.stop()
