"""All of talentq's configuration, read from the environment (prefix ``TALENTQ_``).

One class, one place: every other module receives a ``Settings`` or calls
``get_settings()``; nothing else reads ``os.environ``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_SQLITE_URL = "sqlite:///talentq.db"
DEFAULT_CACHE_DIR = Path.home() / ".cache" / "talentq"
CLI_LOG_LEVEL = "WARNING"  # the interactive `talentq` command logs warnings only unless TALENTQ_LOG_LEVEL is set

Runtime = Literal["fp32", "bf16", "onnx", "onnx-int8"]
RUNTIME_ALIASES = {"int8": "onnx-int8"}  # resolved here, once: every other module sees the runtime that really runs
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
DEVICE_RE = re.compile(r"auto|cpu|cuda(:\d+)?")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TALENTQ_", env_file=".env", extra="ignore")

    # Storage and queue. No broker means the embedded mode: tasks run in-process.
    database_url: str = Field(DEFAULT_SQLITE_URL, description="SQLAlchemy URL of the results database.")
    broker_url: str | None = Field(None, description="Celery broker (Redis) URL; unset = run in-process.")
    result_backend: str | None = Field(None, description="Celery result backend URL (optional).")

    # Models.
    encoder_model: str | None = Field(
        None, description="Local directory or hub name of the encoder; unset = the bundled all-MiniLM-L6-v2."
    )
    sentiment_model: str | None = Field(
        None, description="Local directory of a HF sequence-classification model; unset = bundled head."
    )
    themes_file: Path | None = Field(
        None, description="YAML file of sentiment themes and their descriptions; unset = the bundled themes.yaml."
    )
    resume_model: str | None = Field(
        None,
        description="Local directory or hub name of a HF token-classification model with talentq's résumé tags; "
        "unset = the bundled résumé entity model.",
    )
    device: str = Field("auto", description="auto | cpu | cuda | cuda:N")
    runtime: Runtime = Field("fp32", description="Runtime of every model: fp32 | bf16 | onnx | onnx-int8 (alias int8)")
    max_seq_tokens: int = Field(256, description="Tokens per chunk; longer texts are chunked and mean-pooled.")
    torch_threads: int | None = Field(None, description="Torch intra-op threads; unset = cores / concurrency.")

    # Workers and batching.
    worker_concurrency: int = Field(1, description="Worker processes per `talentq worker`.")
    batch_size: int = Field(64, description="Most jobs of one kind in one handler call and transaction.")
    batch_wait_ms: int = Field(200, description="Longest wait to fill a batch.")
    resume_batch_size: int = Field(
        8, ge=1, description="Most résumés in one parse handler call (a résumé costs ~100× a short text)."
    )
    parse_overlap: bool | None = Field(
        None,
        description="Run the entity model of a batch's next résumés in a thread while the current ones are "
        "parsed; unset = on for CUDA (on a CPU every core is already busy).",
    )
    batch_tokens: int | None = Field(
        None, gt=0, description="Padded tokens per forward pass; unset = 512 on the CPU, 16384 on CUDA."
    )
    task_max_retries: int = Field(5, description="Retries of a transient fault before the dead-letter table.")
    task_time_limit_s: int = Field(600, description="Hard time limit of one task.")
    visibility_timeout_s: int = Field(3600, description="Redis redelivers an unacked task after this long.")
    max_document_bytes: int = Field(10 * 1024 * 1024, description="Larger documents fail with `too_large`.")
    bulk_every: int = Field(
        10, ge=1, description="A worker takes a bulk-lane job after at most this many interactive ones in a row."
    )
    separate_extraction: bool = Field(
        False, description="Extract résumé text on the `extract` queue (CPU workers) before parsing on `resumes`."
    )
    ocr_max_pages: int = Field(5, ge=0, description="Most pages of a scan read by OCR (0 = OCR off).")
    ocr_time_budget_s: float = Field(120.0, gt=0, description="No new page is OCR'd after this many seconds.")

    # Producers and operations.
    log_level: LogLevel = Field("INFO", description="Log level of the JSON logs (the CLI's default is WARNING).")
    webhook_secret: str | None = Field(None, description="Shared HMAC secret of the generic webhook provider.")
    greenhouse_secret: str | None = Field(None, description="Shared HMAC secret of Greenhouse webhooks.")
    lever_secret: str | None = Field(None, description="Signature token of Lever webhooks.")
    lever_api_key: str | None = Field(None, description="Lever API key, to fetch the résumés Lever events name.")
    lever_api_url: str = Field("https://api.lever.co/v1", description="Base URL of the Lever API.")
    bamboohr_secret: str | None = Field(None, description="Private key of BambooHR webhooks.")
    bamboohr_api_key: str | None = Field(None, description="BambooHR API key, to fetch employees' résumé files.")
    bamboohr_api_url: str | None = Field(
        None, description="BambooHR API base, https://api.bamboohr.com/api/gateway.php/<company>/v1."
    )
    webhook_max_age_s: int = Field(300, description="Replay window of signed webhooks.")
    fetch_allowed_hosts: str = Field(
        "",
        description="Comma-separated hosts résumé links may be fetched from (https), or origins such as "
        "http://127.0.0.1:8080; empty = none.",
    )
    fetch_timeout_s: float = Field(10.0, gt=0, description="Connect and read timeout of one résumé download.")
    nightly_cron: str = Field("0 2 * * *", description="Cron time of the nightly batch (beat).")
    nightly_folder: Path | None = Field(None, description="Folder of résumés the nightly batch picks up.")
    outbox_relay_s: float = Field(
        5.0, ge=0, description="Seconds between a worker's sends of outbox messages staged while the broker was down."
    )
    listen_host: str = Field(
        "127.0.0.1",
        description="Address the worker's /metrics and `talentq webhooks serve` listen on; 0.0.0.0 = every "
        "interface (containers).",
    )
    metrics_port: int = Field(9808, description="Port of each worker's Prometheus /metrics (0 = off).")
    cache_dir: Path = Field(DEFAULT_CACHE_DIR, description="Derived model data: taxonomy embeddings, ONNX files.")

    # Consumers: the read API and outbound webhooks.
    api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated keys of the read API; none = every request refused."
    )
    api_database_url: str | None = Field(
        None, description="Database URL of the read API, a talentq_reader login; unset = TALENTQ_DATABASE_URL."
    )
    public_api_url: str = Field("", description="Base URL of the read API in webhook links; empty = relative links.")
    outbound_timeout_s: float = Field(10.0, gt=0, description="Timeout of one outbound webhook POST.")
    outbound_retry_base_s: float = Field(5.0, gt=0, description="First retry delay of a failed outbound webhook.")
    outbound_retry_max_s: float = Field(3600.0, gt=0, description="Longest delay between two outbound attempts.")
    outbound_max_attempts: int = Field(15, gt=0, description="Attempts of one outbound webhook before it is failed.")

    @field_validator("database_url")
    @classmethod
    def _sqlalchemy_scheme(cls, value: str) -> str:
        """``postgres://`` (Heroku's, libpq's) is no SQLAlchemy dialect: say what to write instead of the plugin
        error that SQLAlchemy raises on first use."""
        if value.startswith("postgres://"):
            raise ValueError("write postgresql+psycopg2:// instead of postgres://")
        return value

    @field_validator("runtime", mode="before")
    @classmethod
    def _resolve_alias(cls, value: object) -> object:
        return RUNTIME_ALIASES.get(value, value) if isinstance(value, str) else value

    @field_validator("api_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        return [key.strip() for key in value.split(",") if key.strip()] if isinstance(value, str) else value

    @field_validator("device")
    @classmethod
    def _known_device(cls, value: str) -> str:
        if not DEVICE_RE.fullmatch(value):
            raise ValueError(f"unknown device {value!r}; choose auto, cpu, cuda or cuda:N")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("cache_dir", mode="before")
    @classmethod
    def _default_when_empty(cls, value: object) -> object:
        """An empty TALENTQ_CACHE_DIR means the default, as it did when other modules read it."""
        return value or DEFAULT_CACHE_DIR

    @model_validator(mode="after")
    def _redelivery_after_time_limit(self) -> Settings:
        """Redis redelivers unacked tasks after the visibility timeout: it must outlast any task."""
        if self.visibility_timeout_s <= self.task_time_limit_s:
            raise ValueError("TALENTQ_VISIBILITY_TIMEOUT_S must be longer than TALENTQ_TASK_TIME_LIMIT_S")
        return self

    @property
    def embedded(self) -> bool:
        """True when no broker is configured: tasks run eagerly in this process."""
        return not self.broker_url

    @property
    def reader_database_url(self) -> str:
        """Where the read API reads: its own (read-only) login when one is set."""
        return self.api_database_url or self.database_url

    @property
    def cli_log_level(self) -> str:
        """The level of the interactive CLI: TALENTQ_LOG_LEVEL when set, else warnings only (progress goes to
        the console, not the logs)."""
        return self.log_level if "log_level" in self.model_fields_set else CLI_LOG_LEVEL


@lru_cache
def get_settings() -> Settings:
    """The settings of this process, read from the environment on first use (never at import)."""
    return Settings()
