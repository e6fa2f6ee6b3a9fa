"""ONNX Runtime backends: ``onnx`` (fp32, fused) and ``onnx-int8`` (dynamic int8 weights).

Any BERT-style torch module taking ``(input_ids, attention_mask)`` can be run this way: an
``ExportSpec`` says how to build it and what identifies its weights. The encoder is one such
module (its last hidden state); the bundled sentiment network is another (its logit).

The ONNX file is built on first use and cached, keyed by the spec, the runtime and the versions
that shape it: ``torch.onnx.export`` of the eager-attention module with dynamic batch and
sequence axes, ORT's BERT fusions (one ``Attention``, ``SkipLayerNormalization`` and
``BiasGelu`` kernel per layer), then, for ``onnx-int8``, dynamic quantization with
per-channel int8 weights on the attention (QKV and output) and FFN-input projections; the
FFN output projections, which cost the most accuracy in int8, stay fp32. Several processes
starting at once build it only once (a file lock), and a file appears under its final name
only when complete.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import re
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from transformers import AutoConfig, AutoModel

from workers.engine.backends import mean_pool

log = logging.getLogger(__name__)

# Bump when the export, fusion or quantization recipe changes: older cache entries are then ignored.
RECIPE = 1
FFN_OUTPUT = re.compile(r"/encoder/layer\.\d+/output/dense/")


@dataclass(frozen=True)
class ExportSpec:
    """A module to export. ``build`` returns it in fp32 with eager attention (ORT's fusions recognise
    that graph); ``identity`` names its weights, so the cache never serves a stale file."""

    name: str
    identity: str
    source: str  # the transformers directory or hub name its config (heads, hidden size) comes from
    build: Callable[[], torch.nn.Module]
    output: str
    output_axes: dict[int, str]


def default_cache_dir() -> Path:
    return Path(os.environ.get("TALENTQ_CACHE_DIR") or Path.home() / ".cache" / "talentq")


def source_fingerprint(source: str) -> str:
    """A local directory by its path and files (name, size, mtime); a hub name by itself."""
    path = Path(source)
    if not path.is_dir():
        return source
    files = sorted(p for p in path.iterdir() if p.is_file())
    return "|".join([str(path.resolve()), *(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files)])


def onnx_path(spec: ExportSpec, runtime: str, cache_dir: Path) -> Path:
    key = "\n".join([str(RECIPE), runtime, spec.identity, torch.__version__, ort.__version__])
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", spec.name)[-60:]
    return cache_dir / "onnx" / f"{slug}-{runtime}-{digest}.onnx"


class _LastHiddenState(torch.nn.Module):
    def __init__(self, bert: torch.nn.Module) -> None:
        super().__init__()
        self.bert = bert

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state


def encoder_spec(source: str) -> ExportSpec:
    """The encoder's last hidden state (pooling stays in numpy, shared by every backend)."""
    return ExportSpec(
        name=Path(source).name or source,
        identity=source_fingerprint(source),
        source=source,
        build=lambda: _LastHiddenState(AutoModel.from_pretrained(source, attn_implementation="eager")),
        output="last_hidden_state",
        output_axes={0: "batch", 1: "tokens"},
    )


def _export(spec: ExportSpec, out: Path) -> None:
    """fp32 export with dynamic batch and sequence axes."""
    module = spec.build().eval()
    ids = torch.ones((2, 8), dtype=torch.long)
    axes = {0: "batch", 1: "tokens"}
    torch.onnx.export(
        module,
        (ids, torch.ones_like(ids)),
        str(out),
        input_names=["input_ids", "attention_mask"],
        output_names=[spec.output],
        dynamic_axes={"input_ids": axes, "attention_mask": axes, spec.output: spec.output_axes},
        opset_version=17,
        dynamo=False,
    )


def _fuse(source: str, path: Path, out: Path) -> None:
    from onnxruntime.transformers.optimizer import optimize_model

    config = AutoConfig.from_pretrained(source)
    fused = optimize_model(
        str(path), model_type="bert", num_heads=config.num_attention_heads, hidden_size=config.hidden_size
    )
    fused.save_model_to_file(str(out))


def _quantize(path: Path, out: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(path), load_external_data=False).graph
    matmuls = [node.name for node in graph.node if node.op_type == "MatMul"]
    quantize_dynamic(
        str(path),
        str(out),
        weight_type=QuantType.QInt8,
        per_channel=True,
        reduce_range=False,
        op_types_to_quantize=["Attention", "MatMul"],
        nodes_to_exclude=[name for name in matmuls if FFN_OUTPUT.search(name)],
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )


def ensure_onnx(spec: ExportSpec, runtime: str, cache_dir: Path | None = None) -> Path:
    """The cached ONNX file of ``spec`` for ``runtime``, built first if missing."""
    target = onnx_path(spec, runtime, cache_dir or default_cache_dir())
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():  # built by another process while we waited
            return target
        started = time.perf_counter()
        with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
            exported, fused, final = Path(tmp, "export.onnx"), Path(tmp, "fused.onnx"), Path(tmp, "final.onnx")
            _export(spec, exported)
            _fuse(spec.source, exported, fused)
            if runtime == "onnx-int8":
                _quantize(fused, final)
            else:
                fused.rename(final)
            os.replace(final, target)
        log.info("onnx model built", extra={"path": str(target), "seconds": round(time.perf_counter() - started, 1)})
    return target


def cpu_session(path: Path, threads: int) -> ort.InferenceSession:
    """An ORT session on the CPU with this process's share of the cores."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


class OnnxBackend:
    def __init__(self, path: Path, threads: int) -> None:
        self.session = cpu_session(path, threads)

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        feed = {"input_ids": input_ids.astype(np.int64), "attention_mask": attention_mask.astype(np.int64)}
        (hidden,) = self.session.run(["last_hidden_state"], feed)
        return mean_pool(hidden, attention_mask)
