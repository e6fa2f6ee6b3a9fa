"""The encoder on the real all-MiniLM-L6-v2 weights: pooling, chunking and every runtime."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from pydantic import ValidationError
from transformers import AutoModel, AutoTokenizer

from config.settings import DEFAULT_CACHE_DIR, Settings
from workers.engine.backends import RUNTIMES
from workers.engine.encoder import Encoder, bundled_model_dir
from workers.engine.torch_backend import autocast_dtype_for

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

HR_TEXTS = [
    "Senior Python developer with eight years of experience building data pipelines on AWS.",
    "My manager never listens and the workload has been unbearable since the reorganisation.",
    "Great team, flexible hours, and the onboarding was well organised.",
    "Registered nurse, ICU, BLS and ACLS certified, fluent in Spanish.",
    "The benefits package is fine but career progression is unclear.",
    "Led a team of 12 accountants; implemented SAP FI/CO across three subsidiaries.",
]


def _short_texts(n: int) -> list[str]:
    with open(DATA / "sentiment-train.tsv", newline="", encoding="utf-8") as f:
        rows = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(rows)
        return [row[0] for row in rows if 10 <= len(row[0].split()) <= 60][:n]


def _resumes(n: int) -> list[str]:
    with open(DATA / "resumes-dev.jsonl", encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f]
    return [t for t in texts if 400 <= len(t.split()) <= 1000][:n]


@pytest.fixture(scope="module")
def mixed_texts() -> list[str]:
    """About 50 texts: HR sentences, short survey-like phrases and a few whole résumés."""
    return HR_TEXTS + _short_texts(38) + _resumes(6)


@pytest.fixture(scope="module")
def fp32() -> Encoder:
    return Encoder(device="cpu")


@pytest.fixture(scope="module")
def fp32_vectors(fp32: Encoder, mixed_texts: list[str]) -> np.ndarray:
    return fp32.embed(mixed_texts)


def test_fp32_matches_reference_mean_pooling(fp32: Encoder) -> None:
    source = str(bundled_model_dir())
    tokenizer, model = AutoTokenizer.from_pretrained(source), AutoModel.from_pretrained(source).eval()
    batch = tokenizer(HR_TEXTS, padding=True, truncation=True, max_length=256, return_tensors="pt")
    with torch.inference_mode():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    reference = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()

    vectors = fp32.embed(HR_TEXTS)

    assert vectors.shape == (len(HR_TEXTS), 384) and vectors.dtype == np.float32
    np.testing.assert_allclose((vectors * reference).sum(1), 1.0, atol=1e-4)
    assert fp32.info.dim == 384 and fp32.info.version.endswith("@fp32")


def test_long_text_is_chunked_and_pooled(fp32: Encoder) -> None:
    words = " ".join(_resumes(3)).split()
    text = " ".join((words * 3)[:2000])
    chunks, owners = fp32._chunk([text])
    assert len(chunks) > 2 and all(len(c) <= fp32.max_tokens - 2 for c in chunks) and set(owners) == {0}

    (vector,) = fp32.embed([text])
    (first_window,) = fp32._embed_chunks(chunks[:1])

    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-5)
    assert float(vector @ first_window) < 0.99


def test_empty_input(fp32: Encoder) -> None:
    assert fp32.embed([]).shape == (0, 384)


@pytest.mark.parametrize("runtime", [r for r in RUNTIMES if r != "fp32"])
def test_runtime_close_to_fp32(runtime: str, mixed_texts: list[str], fp32_vectors: np.ndarray) -> None:
    encoder = Encoder(device="cpu", runtime=runtime)
    vectors = encoder.embed(mixed_texts)
    cosine = (vectors * fp32_vectors).sum(1)

    assert encoder.info.version.endswith(f"@{runtime}")
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert cosine.mean() >= 0.99, f"{runtime}: mean cosine {cosine.mean():.4f}"
    assert cosine.min() >= 0.97, f"{runtime}: min cosine {cosine.min():.4f}"
    # Padding must not leak into a text's embedding: alone or in a batch, the same vector. Dynamic
    # int8 takes its activation scale from the whole batch, so there it is only nearly the same.
    alone = encoder.embed(mixed_texts[:1])
    assert float(alone[0] @ vectors[0]) >= (0.99 if "int8" in runtime else 0.9999)


def test_explicit_local_directory_and_onnx_cache(tmp_path: Path, fp32: Encoder) -> None:
    local = tmp_path / "minilm"
    shutil.copytree(bundled_model_dir(), local)
    cache = tmp_path / "cache"

    from_dir = Encoder(model=str(local), device="cpu")
    assert from_dir.info.name == str(local)
    np.testing.assert_allclose(from_dir.embed(HR_TEXTS), fp32.embed(HR_TEXTS), atol=1e-5)

    onnx = Encoder(model=str(local), device="cpu", runtime="onnx", cache_dir=cache)
    (built,) = list(cache.glob("onnx/*.onnx"))
    assert onnx._model is None, "the ONNX runtime must not keep the torch model loaded"
    assert ((onnx.embed(HR_TEXTS) * fp32.embed(HR_TEXTS)).sum(1) > 0.999).all()
    mtime = built.stat().st_mtime_ns
    Encoder(model=str(local), device="cpu", runtime="onnx", cache_dir=cache)
    assert built.stat().st_mtime_ns == mtime and len(list(cache.glob("onnx/*.onnx"))) == 1
    assert onnx.model.config.hidden_size == 384  # the torch model is still there on demand


def test_unknown_runtime_raises() -> None:
    with pytest.raises(ValueError, match="unknown runtime"):
        Encoder(device="cpu", runtime="fp8")


def test_int8_is_an_alias_of_onnx_int8() -> None:
    """The alias is resolved once, in the settings: every model and every version sees ``onnx-int8``."""
    settings = Settings(runtime="int8", device="cpu")
    encoder = Encoder(device=settings.device, runtime=settings.runtime)
    assert encoder.runtime == "onnx-int8" and encoder.info.version.endswith("@onnx-int8")


@pytest.mark.parametrize("device", ["auto", "cpu", "cuda", "cuda:1"])
def test_settings_accept_known_devices(device: str) -> None:
    assert Settings(device=device).device == device


@pytest.mark.parametrize(("field", "value"), [("device", "gpu"), ("device", "cuda:x"), ("runtime", "fp8")])
def test_settings_refuse_unknown_devices_and_runtimes(field: str, value: str) -> None:
    with pytest.raises(ValidationError):
        Settings(**{field: value})


def test_settings_cache_dir_is_a_path_and_empty_means_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TALENTQ_CACHE_DIR", "")
    assert Settings().cache_dir == DEFAULT_CACHE_DIR
    monkeypatch.setenv("TALENTQ_CACHE_DIR", "/tmp/talentq-cache")
    assert Settings().cache_dir == Path("/tmp/talentq-cache")


def test_autocast_types_per_runtime_and_device() -> None:
    """``fp32`` autocasts only on CUDA (fp16, tensor cores); ``bf16`` autocasts to bfloat16 everywhere. The
    ``bf16`` runtime on the CPU is the GPU path's code (autocast, cast back to fp32 for pooling) run for real
    here: ``test_runtime_close_to_fp32`` checks its embeddings."""
    assert autocast_dtype_for(torch.device("cuda")) == torch.float16
    assert autocast_dtype_for(torch.device("cpu")) is None
    assert autocast_dtype_for(torch.device("cpu"), "bf16") == autocast_dtype_for(torch.device("cuda"), "bf16")
    assert Encoder(device="cpu", runtime="bf16").autocast_dtype == torch.bfloat16


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device (the device machine)")
def test_cuda_encoder_matches_the_cpu(mixed_texts: list[str], fp32_vectors: np.ndarray) -> None:
    """On a GPU, ``auto`` picks CUDA and the fp16-autocast embeddings stay close to the CPU's fp32 ones."""
    cuda = Encoder(device="auto")
    assert cuda.device.type == "cuda"
    cosine = (cuda.embed(mixed_texts) * fp32_vectors).sum(1)
    assert cosine.mean() >= 0.999 and cosine.min() >= 0.99
