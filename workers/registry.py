"""Per-process model registry: each model is loaded once per worker process, never per task.

Celery's prefork pool calls ``warm_up`` in every child after the fork; any other caller
(the embedded mode, tests, the CLI) loads lazily on first use.
"""

from __future__ import annotations

import copy
import os
from functools import cache
from pathlib import Path

import torch

from config.settings import Settings
from workers.engine.encoder import Encoder
from workers.readers.ocr import OcrLimits
from workers.resume.entities import HubEntityModel, ResumeEntityModel
from workers.resume.parser import ResumeParser
from workers.resume.skills import default_taxonomy, vectors_path


def _threads(settings: Settings) -> int:
    """Each worker process's share of the cores, so processes don't fight over them."""
    return settings.torch_threads or max(1, (os.cpu_count() or 1) // max(1, settings.worker_concurrency))


def configure_torch(settings: Settings) -> None:
    torch.set_num_threads(_threads(settings))


def ocr_limits(settings: Settings) -> OcrLimits:
    """How much OCR one document may get, on the process's share of the cores."""
    return OcrLimits(settings.ocr_max_pages, settings.ocr_time_budget_s, _threads(settings))


@cache
def _encoder(model: str | None, device: str, runtime: str, max_tokens: int, batch_tokens: int | None) -> Encoder:
    return Encoder(model=model, device=device, runtime=runtime, max_tokens=max_tokens, batch_tokens=batch_tokens)


def _encoder_key(settings: Settings) -> tuple:
    return settings.encoder_model, settings.device, settings.runtime, settings.max_seq_tokens, settings.batch_tokens


def encoder(settings: Settings) -> Encoder:
    return _encoder(*_encoder_key(settings))


@cache
def _sentiment(model_dir: str | None, themes_file: Path | None, encoder_key: tuple) -> object:
    from workers.sentiment.model import SentimentModel

    return SentimentModel(_encoder(*encoder_key), model_dir=model_dir, themes_file=themes_file)


def sentiment_model(settings: Settings):  # -> workers.sentiment.model.SentimentModel
    return _sentiment(settings.sentiment_model, settings.themes_file, _encoder_key(settings))


@cache
def _resume_parser(resume_model: str | None, encoder_key: tuple) -> ResumeParser:
    shared = _encoder(*encoder_key)
    if resume_model:
        entities = HubEntityModel(
            resume_model, shared.runtime, str(shared.device), shared.batch_tokens, shared.cache_dir
        )
    else:
        # The bundled entity model is fine-tuned on the bundled encoder: shared with it, or loaded beside another.
        bundled = shared if encoder_key[0] is None else _encoder(None, *encoder_key[1:])
        entities = ResumeEntityModel(bundled)
        # Its own tokenizer: with TALENTQ_PARSE_OVERLAP it tokenizes in a thread while the encoder embeds phrases,
        # and a fast tokenizer's truncation settings are state that one call may change under another.
        entities.tokenizer = copy.deepcopy(bundled.tokenizer)
    return ResumeParser(shared, entities)


def resume_parser(settings: Settings) -> ResumeParser:
    """The résumé parser: the encoder, the entity model (``TALENTQ_RESUME_MODEL`` or the bundled one), the taxonomy."""
    return _resume_parser(settings.resume_model, _encoder_key(settings))


def warm_up(settings: Settings) -> Path:
    """Load every model, and the skill taxonomy's embeddings (~5,300 phrases: minutes on a busy CPU) from
    their cache, computing it if missing, so no job pays for them. Returns the cache file's path."""
    configure_torch(settings)
    taxonomy = default_taxonomy()
    taxonomy.vectors(encoder(settings))
    sentiment_model(settings).warm_up()
    resume_parser(settings)
    return vectors_path(taxonomy, encoder(settings))
