"""ONNX Runtime backends: ``onnx`` (fp32, fused) and ``onnx-int8`` (dynamic int8 weights).

Any BERT-style torch module taking ``(input_ids, attention_mask)`` can be run this way: a
``ModelSpec`` (``workers.engine.backends``) says how to build it and what identifies its weights. The
encoder is one such module (its mean-pooled embedding); the bundled sentiment network is another (its logit).

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
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import onnxruntime as ort
import torch
from transformers import AutoConfig

from config.settings import get_settings
from workers.engine.model_clock import model_work

if TYPE_CHECKING:  # the switch imports this module, never the reverse at run time
    from workers.engine.backends import ModelSpec

log = logging.getLogger(__name__)

# Bump when the export, fusion or quantization recipe changes: older cache entries are then ignored.
# 2: the encoder's graph returns its mean-pooled embedding (pooling moved into the graph, one output for all backends).
RECIPE = 2
FFN_OUTPUT = re.compile(r"/encoder/layer\.\d+/output/dense/")


def onnx_path(spec: ModelSpec, runtime: str, cache_dir: Path) -> Path:
    key = "\n".join([str(RECIPE), runtime, spec.identity, torch.__version__, ort.__version__])
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", spec.name)[-60:]
    return cache_dir / "onnx" / f"{slug}-{runtime}-{digest}.onnx"


def _export(spec: ModelSpec, out: Path) -> None:
    """fp32 export with dynamic batch and sequence axes."""
    module = spec.export_module().eval()
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


def ensure_onnx(spec: ModelSpec, runtime: str, cache_dir: Path | None = None) -> Path:
    """The cached ONNX file of ``spec`` for ``runtime``, built first if missing."""
    target = onnx_path(spec, runtime, cache_dir or get_settings().cache_dir)
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
    """``spec``'s graph for ``runtime`` (built on first use into ``cache_dir``), on ``threads`` CPU threads."""

    def __init__(self, spec: ModelSpec, runtime: str, threads: int, cache_dir: Path | None = None) -> None:
        self.session = cpu_session(ensure_onnx(spec, runtime, cache_dir), threads)
        self.output = spec.output

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        feed = {"input_ids": input_ids.astype(np.int64), "attention_mask": attention_mask.astype(np.int64)}
        with model_work():
            (out,) = self.session.run([self.output], feed)
        return out
