"""The ops pack names only what workers serve: every metric and label in the alert rules and the Grafana
dashboard is read off a real worker's /metrics after real jobs (a done one, a failed one, a nightly run)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import httpx
import promql_parser
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from tests.support import GOOD_RESUME, ROOT, free_port, talentq, wait_for

MONITORING = ROOT / "monitoring"
# Labels Prometheus itself adds to every series at scrape time, and the one metric it makes per target.
TARGET_LABELS = {"job", "instance"}
SYNTHETIC = {"up"}


@cache
def expressions() -> dict[str, str]:
    """Every PromQL expression of the alert rules and the dashboard, by where it comes from."""
    found = {}
    for group in yaml.safe_load((MONITORING / "alerts.yml").read_text())["groups"]:
        for rule in group["rules"]:
            found[f"alert {rule['alert']}"] = rule["expr"]
    for panel in json.loads((MONITORING / "grafana-dashboard.json").read_text())["panels"]:
        for target in panel["targets"]:
            found[f"panel {panel['title']!r} {target['refId']}"] = target["expr"]
    return found


def selectors(expr: str) -> Iterator[tuple[str, set[str]]]:
    """(metric name, label names it matches on or groups by) for each series an expression reads."""
    nodes: list[object] = []
    promql_parser.walk(promql_parser.parse(expr), lambda node: nodes.append(node))
    grouped: set[str] = set()
    for node in nodes:
        if isinstance(node, promql_parser.AggregateExpr) and node.modifier is not None:
            grouped |= set(node.modifier.labels)
    for node in nodes:
        if isinstance(node, promql_parser.VectorSelector):
            labels = {m.name for m in node.matchers.matchers if m.name != "__name__"}
            yield node.name, labels | {label for label in grouped if label != "le"}


def test_every_expression_parses():
    assert len(expressions()) >= 15
    for where, expr in expressions().items():
        assert list(selectors(expr)), where


def test_prometheus_config_loads_the_rules_and_scrapes_the_workers():
    for name in ("prometheus.yml", "prometheus-kubernetes.yml"):
        config = yaml.safe_load((MONITORING / name).read_text())
        assert config["rule_files"] == ["/etc/prometheus/alerts.yml"], name
        assert "talentq-workers" in {job["job_name"] for job in config["scrape_configs"]}, name


def test_compose_prometheus_scrapes_every_compose_worker():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    workers = {name for name, service in compose.items() if service.get("command", [])[:2] == ["talentq", "worker"]}
    config = yaml.safe_load((MONITORING / "prometheus.yml").read_text())
    (job,) = [job for job in config["scrape_configs"] if job["job_name"] == "talentq-workers"]
    (dns,) = job["dns_sd_configs"]
    assert set(dns["names"]) == workers and dns["port"] == 9808


@pytest.fixture
def worker_metrics(tmp_path: Path, start_worker, database_url: str, redis_client) -> str:
    """A real worker's /metrics once it has parsed one résumé, failed an empty one and run a nightly batch."""
    folder = tmp_path / "inbox"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD_RESUME.replace("Jordan", f"Jordan {uuid.uuid4().hex[:6]}"))
    (folder / "empty.txt").write_text("")
    port = free_port()
    (tmp_path / "metrics").mkdir()
    env = {"TALENTQ_METRICS_PORT": str(port), "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    worker = start_worker(extra_env=env)
    talentq("batch", "submit", "--name", f"nightly-test-{uuid.uuid4().hex[:8]}", "--folder", str(folder), "--no-follow")

    def scrape() -> str | None:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        wanted = (
            'talentq_batch_run_jobs{kind="nightly",state="pending"} 0.0',  # the run is over
            'talentq_job_failures_total{code="empty"',  # the empty résumé failed
            "talentq_forward_batch_padded_tokens_bucket",  # the good one went through the model
        )
        return text if all(part in text for part in wanted) else None

    return wait_for(scrape, 120, interval=1, what="the nightly run's jobs in /metrics", progress=worker.activity)


def served(text: str) -> dict[str, set[str]]:
    """Sample names (with ``_bucket``, ``_total``, ...) and family names, each with the labels it carries."""
    names: dict[str, set[str]] = {}
    for family in text_string_to_metric_families(text):
        names.setdefault(family.name, set())
        for sample in family.samples:
            labels = set(sample.labels) - {"le", "quantile"}
            names.setdefault(sample.name, set()).update(labels)
            names[family.name].update(labels)
    return names


def test_every_metric_and_label_in_the_dashboard_and_alerts_is_served_by_a_real_worker(worker_metrics):
    names = served(worker_metrics)
    for required in ("process_resident_memory_bytes", "python_info", "talentq_queue_messages"):
        assert required in names, required
    assert 'code=""' not in worker_metrics  # successes carry no empty error code
    missing = []
    for where, expr in expressions().items():
        for name, labels in selectors(expr):
            if name in SYNTHETIC:
                continue
            if name not in names:
                missing.append(f"{where}: {name}")
            elif names[name] and (unknown := labels - names[name] - TARGET_LABELS):
                missing.append(f"{where}: {name} has no label {sorted(unknown)}")
    assert not missing, missing
