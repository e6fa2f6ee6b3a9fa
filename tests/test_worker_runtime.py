"""Models load once per worker process, after the fork, never in a parent (CUDA cannot be forked)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from config.settings import get_settings
from producers.cli import worker_command
from tests.conftest import ROOT

PARENT_CHECK = """
import torch
import tasks.jobs, producers.cli, producers.webhooks  # everything a worker's parent or a producer imports
from tasks.app import app
from workers import runtime
assert runtime._encoder.cache_info().currsize == 0, "a model was loaded at import time"
assert not torch.cuda.is_initialized(), "CUDA was initialised at import time"
print("clean")
"""


def test_importing_the_app_loads_no_model_and_touches_no_gpu():
    done = subprocess.run([sys.executable, "-c", PARENT_CHECK], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "clean", done.stderr[-2000:]


def test_the_encoder_is_loaded_once_per_process(encoder):
    from workers import runtime

    assert runtime.encoder(get_settings()) is encoder
    assert runtime.encoder(get_settings()) is runtime.encoder(get_settings())


def test_worker_command_sizes_prefetch_to_the_work():
    gpu = worker_command("resumes,sentiment,scoring", 1, "solo")
    cpu = worker_command("resumes,control", 4, "prefork")
    assert gpu[gpu.index("-P") + 1] == "solo" and gpu[gpu.index("-c") + 1] == "1"
    assert gpu[gpu.index("--prefetch-multiplier") + 1] == str(2 * get_settings().batch_size)
    assert cpu[cpu.index("--prefetch-multiplier") + 1] == "1"
    assert "-E" in gpu and "-E" in cpu  # task events for Flower


def test_versions_known_without_loading_match_the_loaded_encoder(encoder):
    from tasks.handlers import resume_model_version
    from workers.encoder import encoder_version

    assert encoder_version(None, "fp32") == encoder.info.version
    assert encoder_version(None, "int8") == encoder_version(None, "onnx-int8")
    assert resume_model_version(get_settings()).endswith(encoder.info.version)


FREED_BLOCK_PROBE = """
import sys
from workers.runtime import pin_mmap_threshold
def rss_mib():
    return next(int(line.split()[1]) / 1024 for line in open("/proc/self/status") if line.startswith("VmRSS"))
if sys.argv[1] == "pinned":
    assert pin_mmap_threshold()
block = b"x" * (8 << 20); del block  # glibc: mmapped, and freeing it raises the threshold past 8 MiB
before = rss_mib()
block = b"y" * (8 << 20); small = [b"z" * 100 for _ in range(1000)]; del block
print(rss_mib() - before)
"""


@pytest.mark.parametrize(("mode", "kept_mib"), [("default", 8.0), ("pinned", 0.0)])
def test_pinned_mmap_threshold_gives_freed_tensors_back(mode: str, kept_mib: float) -> None:
    """The worker pins glibc's mmap threshold (workers.runtime.pin_mmap_threshold): a freed large block
    then leaves the process at once, instead of staying in a heap that fragments as batch shapes vary."""
    out = subprocess.run(
        [sys.executable, "-c", FREED_BLOCK_PROBE, mode], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert float(out.stdout) == pytest.approx(kept_mib, abs=1.0)
