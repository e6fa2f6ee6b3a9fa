"""docker-compose.yml runs real entry points, documents its variables, and keeps its promises
(health, restarts, one GPU per GPU worker, grace to finish a batch, a Redis that neither evicts nor opens
to anyone, ports on loopback, backups, no default secrets). No Docker engine is needed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from functools import cache
from typing import Any

import pytest
import yaml

from config.settings import Settings
from tests.support import ROOT, parse_talentq_args

COMPOSE = ROOT / "docker-compose.yml"
VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?\}")
SECRETS = (
    "POSTGRES_PASSWORD",
    "REDIS_PASSWORD",
    "TALENTQ_WEBHOOK_SECRET",
    "FLOWER_USER",
    "FLOWER_PASSWORD",
    "GRAFANA_ADMIN_PASSWORD",
)
OURS = ("migrate", "worker-gpu-0", "worker-cpu", "beat", "flower", "webhooks")
WORKERS = ("worker-gpu-0", "worker-cpu")


@cache
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def services() -> dict[str, dict[str, Any]]:
    return compose()["services"]


def interpolated(command: list[str]) -> list[str]:
    """The command as compose would run it, with a stand-in value for each variable."""
    return [VARIABLE.sub("x", arg) for arg in command]


def test_every_service_is_there():
    assert set(OURS) | {"postgres", "redis", "backup", "prometheus", "grafana"} <= set(services())


@pytest.mark.parametrize("name", [n for n in OURS if services()[n]["command"][0] == "talentq"])
def test_talentq_commands_exist_in_the_cli(name):
    parse_talentq_args(name, interpolated(services()[name]["command"])[1:])


@pytest.mark.parametrize("name", [n for n in OURS if services()[n]["command"][0] == "celery"])
def test_celery_commands_resolve(name):
    """`celery -A tasks.app <sub> ... --help`: the app imports, the subcommand exists (flower is a
    plugin) and every option parses."""
    command = interpolated(services()[name]["command"])
    assert command[1:3] == ["-A", "tasks.app"]
    done = subprocess.run(
        [sys.executable, "-m", *command, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_webhooks_command_serves_the_asgi_app():
    from fastapi import FastAPI
    from uvicorn.main import main as uvicorn_cli

    command = interpolated(services()["webhooks"]["command"])
    assert command[0] == "uvicorn"
    context = uvicorn_cli.make_context("uvicorn", command[1:])
    module, _, attr = context.params["app"].partition(":")
    assert isinstance(getattr(__import__(module, fromlist=[attr]), attr), FastAPI)
    assert context.params["port"] == 8000


def test_services_are_healthchecked_restarted_and_ordered():
    for name in ("postgres", "redis", "worker-gpu-0", "worker-cpu", "flower", "webhooks"):
        assert services()[name]["healthcheck"]["test"], name
    for name in set(OURS) - {"migrate"} | {"postgres", "redis", "backup"}:
        assert services()[name]["restart"] == "unless-stopped", name
    assert services()["migrate"]["restart"] == "no"
    assert services()["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("worker-gpu-0", "worker-cpu", "beat", "webhooks"):
        needs = services()[name]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully", name
        assert needs["redis"]["condition"] == "service_healthy", name


def test_gpu_worker_owns_one_named_device_and_runs_one_process():
    """``device_ids``, not ``count``: replicas of a ``count: 1`` service all get the same first GPU."""
    gpu = services()["worker-gpu-0"]
    (device,) = gpu["deploy"]["resources"]["reservations"]["devices"]
    assert device == {"driver": "nvidia", "device_ids": ["0"], "capabilities": ["gpu"]}
    assert gpu["environment"]["TALENTQ_DEVICE"] == "cuda"
    command = gpu["command"]
    assert command[command.index("--pool") + 1] == "solo"
    assert "cu" in gpu["build"]["args"]["TORCH_INDEX_URL"]  # the CUDA wheel, not the CPU one


def duration_s(text: str) -> float:
    """A compose duration (``11m``, ``90s``, ``1m30s``) in seconds."""
    parts = re.findall(r"(\d+(?:\.\d+)?)(h|ms|m|s)", text)
    assert parts and "".join(n + u for n, u in parts) == text, text
    return sum(float(n) * {"h": 3600, "m": 60, "s": 1, "ms": 0.001}[u] for n, u in parts)


@pytest.mark.parametrize("name", WORKERS)
def test_a_stopping_worker_has_time_to_finish_its_batch(name):
    """Longer than a task may run: a worker killed mid-batch leaves its messages unacknowledged until the
    visibility timeout (an hour) runs out."""
    assert duration_s(services()[name]["stop_grace_period"]) > Settings().task_time_limit_s


def test_redis_keeps_every_message_and_asks_for_a_password():
    command = services()["redis"]["command"]
    options = dict(zip(command[1::2], command[2::2], strict=True))
    assert options["--appendonly"] == "yes"
    assert options["--maxmemory-policy"] == "noeviction"  # a full Redis refuses new work, never drops queued work
    assert options["--requirepass"].startswith("${REDIS_PASSWORD:?")
    broker = compose()["x-talentq-env"]["TALENTQ_BROKER_URL"]
    assert broker.startswith("redis://:${REDIS_PASSWORD:?") and broker.endswith("@redis:6379/0")


def test_ports_are_published_on_loopback_only():
    for name, service in services().items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} on every interface"


def test_storage_persists_and_is_backed_up():
    assert "pg_isready" in " ".join(services()["postgres"]["healthcheck"]["test"])
    assert set(compose()["volumes"]) == {"pgdata", "redisdata", "backups", "prometheusdata"}
    backup = services()["backup"]
    script = " ".join(backup["command"])
    assert "pg_dump -Fc" in script and "/backups/" in script
    assert backup["volumes"] == ["backups:/backups"]
    assert backup["environment"]["PGPASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert backup["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_monitoring_mounts_the_ops_pack():
    mounted = [v.split(":")[0] for name in ("prometheus", "grafana") for v in services()[name]["volumes"]]
    for path in (p for p in mounted if p.startswith("./")):
        assert (ROOT / path).exists(), path


def test_secrets_have_no_defaults():
    """Every secret is required (``${NAME:?message}``): compose refuses to start without it."""
    found: dict[str, set[str]] = {}
    for name, op, _ in VARIABLE.findall(COMPOSE.read_text()):
        found.setdefault(name, set()).add(op)
    for secret in SECRETS:
        assert found.get(secret) == {":?"}, secret
    flower = " ".join(services()["flower"]["command"])
    assert "--basic-auth=${FLOWER_USER:?" in flower and ":${FLOWER_PASSWORD:?" in flower


def test_every_variable_is_a_setting_and_documented():
    text = COMPOSE.read_text()
    readme = (ROOT / "README.md").read_text()
    names = set(re.findall(r"\b(?:TALENTQ|FLOWER)_[A-Z0-9_]+\b", text))
    for name in sorted(n for n in names if n.startswith("TALENTQ_")):
        assert name.removeprefix("TALENTQ_").lower() in Settings.model_fields, f"{name} is not a setting"
    undocumented = sorted(n for n in names if f"`{n}`" not in readme)
    assert not undocumented, f"add to README's configuration table: {undocumented}"


DOCKER_COMPOSE = shutil.which("docker-compose")


@pytest.mark.skipif(DOCKER_COMPOSE is None, reason="docker-compose is not installed")
def test_docker_compose_accepts_the_file_and_refuses_missing_secrets(tmp_path):
    empty = tmp_path / "empty.env"  # so a developer's .env cannot fill in a missing secret
    empty.touch()
    env = {k: v for k, v in os.environ.items() if k not in SECRETS and not k.startswith("TALENTQ_")}
    check = [DOCKER_COMPOSE, "--env-file", str(empty), "-f", str(COMPOSE), "config", "-q"]
    done = subprocess.run(check, env={**env, **dict.fromkeys(SECRETS, "x")}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for secret in SECRETS:
        without = {**env, **{s: "x" for s in SECRETS if s != secret}}
        done = subprocess.run(check, env=without, capture_output=True, text=True)
        assert done.returncode != 0 and secret in done.stderr, secret
