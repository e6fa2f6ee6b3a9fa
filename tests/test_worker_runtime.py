"""Models load once per worker process, after the fork, never in a parent (CUDA cannot be forked)."""

from __future__ import annotations

import os
import subprocess
import sys

from config.settings import get_settings
from producers.cli import prefetch_multiplier, worker_command
from tests.support import ROOT

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
    assert cpu[cpu.index("--prefetch-multiplier") + 1] == "1"
    # A mixed worker holds no more than it can run within the visibility timeout at the time limit each.
    rounds = settings.visibility_timeout_s // settings.task_time_limit_s
    assert gpu[gpu.index("--prefetch-multiplier") + 1] == str(min(rounds, 2 * settings.batch_size))
    short = settings.model_copy(update={"visibility_timeout_s": 20, "task_time_limit_s": 15})
    assert prefetch_multiplier(["sentiment"], settings) == 2 * settings.batch_size
    assert prefetch_multiplier(["sentiment"], short) == settings.batch_size
    assert prefetch_multiplier(["resumes", "sentiment"], short) == 1


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
