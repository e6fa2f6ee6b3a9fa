"""Per-process model registry: each model is loaded once per worker process, never per task.

Celery's prefork pool calls ``warm_up`` in every child after the fork; any other caller
(the embedded mode, tests, the CLI) loads lazily on first use.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
from functools import cache

import torch

from config.settings import Settings
from workers.encoder import Encoder

log = logging.getLogger(__name__)

# glibc's mallopt parameter number for the mmap threshold (malloc.h).
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_BYTES = 128 * 1024


def pin_mmap_threshold() -> bool:
    """Keep glibc serving large blocks (tensors) from mmap, so they go back to the OS when freed.

    glibc raises its mmap threshold (up to 32 MiB) each time a large mmapped block is freed; torch's
    activations for ever-changing batch shapes then come from the heap and fragment it. Measured on
    the fp32 sentiment worker: +46 % RSS over 4,000 tasks with the default, a plateau after ~1,000
    with the threshold pinned at 128 KiB (what ``MALLOC_MMAP_THRESHOLD_=131072`` does). Setting it
    explicitly turns the dynamic adjustment off. A no-op where the C library is not glibc.
    """
    libc_name = ctypes.util.find_library("c")
    try:
        mallopt = ctypes.CDLL(libc_name).mallopt
    except (OSError, AttributeError, TypeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))


def configure_torch(settings: Settings) -> None:
    """Give each worker process its share of the cores so processes don't fight over them."""
    threads = settings.torch_threads or max(1, (os.cpu_count() or 1) // max(1, settings.worker_concurrency))
    torch.set_num_threads(threads)


@cache
def _encoder(model: str | None, device: str, runtime: str, max_tokens: int, batch_tokens: int | None) -> Encoder:
    return Encoder(model=model, device=device, runtime=runtime, max_tokens=max_tokens, batch_tokens=batch_tokens)


def _encoder_key(settings: Settings) -> tuple:
    return settings.encoder_model, settings.device, settings.runtime, settings.max_seq_tokens, settings.batch_tokens


def encoder(settings: Settings) -> Encoder:
    return _encoder(*_encoder_key(settings))


@cache
def _sentiment(model_dir: str | None, encoder_key: tuple) -> object:
    from workers.sentiment import SentimentModel

    return SentimentModel(_encoder(*encoder_key), model_dir=model_dir)


def sentiment_model(settings: Settings):  # -> workers.sentiment.SentimentModel
    return _sentiment(settings.sentiment_model, _encoder_key(settings))


def warm_up(settings: Settings) -> None:
    if not pin_mmap_threshold():
        log.info("mmap threshold not pinned (not glibc): memory may grow with varying batch shapes")
    configure_torch(settings)
    encoder(settings)
    sentiment_model(settings).warm_up()
