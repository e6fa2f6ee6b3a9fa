"""The résumé entity model: every token of a résumé tagged (BIO) as name, job title, company, school, degree,
graduation year, location or skill.

The bundled model is the shared encoder (all-MiniLM-L6-v2) cut to its first ``LOWER_LAYERS + TRAINED_LAYERS``
layers: the first ``LOWER_LAYERS`` are the encoder's own modules (shared, frozen), the next ``TRAINED_LAYERS`` are
fine-tuned for this task, and the encoder's layers above them are not run (held out, four layers tagged titles and
employers better than six at two thirds of the cost; three did as well overall but read a made-up employer on a
flattened page into the title before it: README). A small head follows: each token's state and its shape
(capitals, digits, the gap before it: how the page is laid out, which the uncased encoder cannot see) through a
bidirectional LSTM to one logit per tag, stepped on one thread (``workers.engine.one_thread``). Only the trained
layers and the head ship (``assets/resume_entities.safetensors``, fp16), as the sentiment network ships its own.

A résumé's word pieces are cut into windows of ``WINDOW_TOKENS`` that overlap by ``OVERLAP``, so no text is cut;
each token keeps the tags of the window where it sits farthest from an edge. Windows of many résumés go through the
network together in the encoder's token-budget batches, under the deployment's runtime (``load_backend``: torch
fp32/bf16, fp16 on CUDA, ONNX, ONNX int8).

``TALENTQ_RESUME_MODEL`` swaps in any Hugging Face token-classification model whose labels are ``TAGS`` (a local
directory or a hub name), run the same way.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from transformers import AutoModel, AutoModelForTokenClassification, AutoTokenizer, PreTrainedModel
from transformers import PreTrainedTokenizerBase as Tokenizer

from workers.engine.backends import Backend, ModelSpec, load_backend, source_fingerprint
from workers.engine.batching import pad_id, token_budget_batches
from workers.engine.encoder import Encoder, resolve_device
from workers.engine.model_clock import model_work
from workers.engine.one_thread import one_thread
from workers.resume.token_shapes import SHAPES, token_shapes

ENTITY_MODEL_VERSION = "resume-entities/1"
BUNDLED_ENTITIES = Path(__file__).resolve().parent.parent / "assets" / "resume_entities.safetensors"
LABELS = ("NAME", "TITLE", "COMPANY", "COLLEGE", "DEGREE", "GRAD_YEAR", "LOCATION", "SKILL")
TAGS = ("O", *(f"{prefix}-{label}" for label in LABELS for prefix in ("B", "I")))
WINDOW_TOKENS, OVERLAP = 256, 32
EDGE_SEPARATORS = frozenset(" \t\n-–—&,;:/|·•*")
LOWER_LAYERS, TRAINED_LAYERS = 2, 2  # the encoder's first layers, shared and frozen; then layers of its own
PROJECTION, HIDDEN, DROPOUT = 256, 128, 0.25
FINISH_WINDOWS = 128  # windows whose states the head reads together
# Windows per forward pass at least, whatever the token budget: they are all ~WINDOW_TOKENS long (nothing to pad),
# and on a CPU 8 a pass parsed 5-9 % faster than the 512-token default's 2 (the budget suits short texts).
MIN_PASS_WINDOWS = 8
# The network's rows (states or logits) of a window batch, from (ids, mask); windows' body rows and shapes → logits.
WindowRows = Callable[[np.ndarray, np.ndarray], np.ndarray]
FinishRows = Callable[[list[np.ndarray], list[np.ndarray]], list[np.ndarray]]


@dataclass(frozen=True)
class Entity:
    """A tagged span ``text[start:end]`` and the model's mean confidence over its tokens."""

    label: str
    start: int
    end: int
    text: str
    confidence: float


@dataclass(frozen=True)
class Tokens:
    """A text's word pieces (no special tokens): ids, character spans and shape features."""

    ids: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    shapes: np.ndarray  # float32 (tokens, len(SHAPES))

    def __len__(self) -> int:
        return len(self.ids)


def tokenize(tokenizer: Tokenizer, text: str) -> Tokens:
    encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
    offsets = np.asarray(encoded["offset_mapping"], dtype=np.int64).reshape(-1, 2)
    return Tokens(
        np.asarray(encoded["input_ids"], dtype=np.int64),
        offsets[:, 0],
        offsets[:, 1],
        token_shapes(text, offsets, lone_break_is_wide=True),
    )


def windows(length: int, body: int = WINDOW_TOKENS - 2, overlap: int = OVERLAP) -> list[tuple[int, int, int, int]]:
    """Windows ``(start, end, own_start, own_end)`` over ``length`` tokens: each ``body`` tokens long, overlapping by
    ``overlap``; every token is owned by exactly one window, the one where it is farthest from an edge."""
    stride = body - overlap
    starts = list(range(0, max(length - overlap, 1), stride)) if length else []
    out = []
    for k, start in enumerate(starts):
        own_start = 0 if k == 0 else start + overlap // 2
        own_end = length if k == len(starts) - 1 else starts[k + 1] + overlap // 2
        out.append((start, min(start + body, length), own_start, own_end))
    return out


class EntityNet(nn.Module):
    """BERT whose embeddings and first ``lower_layers`` layers are the encoder's own modules (shared, frozen) and
    whose next ``trained_layers`` are this model's (initialised from the encoder's layers there): token ids → token
    states. The encoder's layers above those are not run."""

    def __init__(
        self, base: PreTrainedModel, trained_layers: int = TRAINED_LAYERS, lower_layers: int = LOWER_LAYERS
    ) -> None:
        super().__init__()
        layers = base.encoder.layer
        if lower_layers + trained_layers > len(layers):
            raise ValueError(f"{lower_layers} + {trained_layers} layers: the encoder has {len(layers)}")
        self.lower_layers = lower_layers
        self.top = nn.ModuleList(copy.deepcopy(layers[i]) for i in range(lower_layers, lower_layers + trained_layers))
        # A BERT shell on the meta device (no memory) whose parts are the shared modules and our top.
        with torch.device("meta"):
            self.body = AutoModel.from_config(base.config, add_pooling_layer=False)
        self.body.embeddings = base.embeddings
        self.body.encoder.layer = nn.ModuleList([*layers[:lower_layers], *self.top])

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.body(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    def top_states(self, lower: torch.Tensor) -> torch.Tensor:
        """The trained layers alone, on the states the frozen ones gave (unpadded windows): training reuses those."""
        for layer in self.top:
            lower = layer(lower)
        return lower


class EntityHead(nn.Module):
    """Token states and shapes → projection → BiLSTM → one logit per tag."""

    def __init__(self, hidden_size: int) -> None:
        super().__init__()
        self.drop = nn.Dropout(DROPOUT)
        self.project = nn.Linear(hidden_size + len(SHAPES), PROJECTION)
        self.lstm = nn.LSTM(PROJECTION, HIDDEN, batch_first=True, bidirectional=True)
        self.out = nn.Linear(2 * HIDDEN, len(TAGS))

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """``x`` (rows, tokens, features); with ``lengths``, each row's real length: the LSTM reads it packed, so
        its padding never reaches the backward direction."""
        projected = torch.relu(self.project(self.drop(x)))
        if lengths is None:
            hidden, _ = self.lstm(projected)
        else:
            packed = pack_padded_sequence(projected, lengths, batch_first=True, enforce_sorted=False)
            hidden = pad_packed_sequence(self.lstm(packed)[0], batch_first=True, total_length=x.shape[1])[0]
        return self.out(self.drop(hidden))


def head_logits(head: EntityHead, states: Sequence[np.ndarray], shapes: Sequence[np.ndarray]) -> list[np.ndarray]:
    """The head over many windows' body states and shapes at once, padded and packed: the BiLSTM steps through a
    window token by token, so it is fast only over many rows together."""
    if not states:
        return []
    lengths = [len(rows) for rows in states]
    x = np.zeros((len(states), max(lengths), states[0].shape[1] + len(SHAPES)), dtype=np.float32)
    for row, (window_states, window_shapes) in enumerate(zip(states, shapes, strict=True)):
        x[row, : lengths[row]] = np.concatenate([window_states, window_shapes], 1)
    device = next(head.parameters()).device
    with torch.inference_mode(), model_work(), one_thread():
        logits = head(torch.from_numpy(x).to(device), torch.tensor(lengths)).float().cpu().numpy()
    return [logits[row, :length] for row, length in enumerate(lengths)]


def save_entity_model(path: Path, net: EntityNet, head: EntityHead, encoder_name: str) -> None:
    """The trained layers and the head in fp16; the encoder they belong to in the metadata."""
    tensors = {f"top.{k}": v for k, v in net.top.state_dict().items()}
    tensors |= {f"head.{k}": v for k, v in head.state_dict().items()}
    metadata = {
        "encoder": encoder_name,
        "lower_layers": str(net.lower_layers),
        "trained_layers": str(len(net.top)),
        "tags": ",".join(TAGS),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.detach().half().contiguous().cpu() for k, v in tensors.items()}, str(path), metadata)
    path.chmod(0o644)  # safetensors writes 0600; the asset is package data every worker user must read


def load_entity_model(path: Path, base: PreTrainedModel, encoder_name: str) -> tuple[EntityNet, EntityHead]:
    """The network on ``base`` (the encoder it was trained on) and its head, from ``save_entity_model``'s file."""
    with safe_open(str(path), framework="pt") as f:
        metadata = f.metadata() or {}
    if metadata.get("encoder") != encoder_name or metadata.get("tags") != ",".join(TAGS):
        raise ValueError(f"{path} was not trained on {encoder_name} with talentq's résumé tags")
    tensors = {k: v.float() for k, v in load_file(str(path)).items()}
    trained_layers = int(metadata["trained_layers"])
    lower_layers = int(metadata.get("lower_layers", base.config.num_hidden_layers - trained_layers))
    net = EntityNet(base, trained_layers, lower_layers)
    net.top.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("top.")})
    head = EntityHead(base.config.hidden_size)
    head.load_state_dict({k[5:]: v for k, v in tensors.items() if k.startswith("head.")})
    return net.to(base.device).eval(), head.to(base.device).eval()


def tag_texts(
    texts: Sequence[str], tokenizer: Tokenizer, batch_tokens: int, window_rows: WindowRows, finish: FinishRows
) -> list[list[Entity]]:
    """Entities of every text: the windows of all texts through the network in token-budget batches (at least
    ``MIN_PASS_WINDOWS`` windows a pass), their rows finished into logits ``FINISH_WINDOWS`` windows at a time, each
    token's logits from the window that owns it, decoded per text."""
    documents = [tokenize(tokenizer, text) for text in texts]
    jobs = [(d, w) for d, doc in enumerate(documents) for w in windows(len(doc))]
    cls, sep = tokenizer.cls_token_id, tokenizer.sep_token_id
    sequences = [[cls, *documents[d].ids[w[0] : w[1]].tolist(), sep] for d, w in jobs]
    logits = [np.zeros((len(doc), len(TAGS)), dtype=np.float32) for doc in documents]
    pending: dict[int, np.ndarray] = {}  # job → its body rows, waiting for ``finish``

    def finish_pending() -> None:
        shapes = [documents[jobs[i][0]].shapes[jobs[i][1][0] : jobs[i][1][1]] for i in pending]
        for i, rows in zip(pending, finish(list(pending.values()), shapes), strict=True):
            d, (start, _, own_start, own_end) = jobs[i]
            logits[d][own_start:own_end] = rows[own_start - start : own_end - start]
        pending.clear()

    budget = max(batch_tokens, MIN_PASS_WINDOWS * WINDOW_TOKENS)
    for batch in token_budget_batches(sequences, budget, pad_id(tokenizer)):
        rows = window_rows(batch.input_ids, batch.attention_mask)
        for r, i in enumerate(batch.indices):
            pending[i] = rows[r, 1 : len(sequences[i]) - 1]
        if len(pending) >= FINISH_WINDOWS:
            finish_pending()
    finish_pending()
    return [decode(t, doc, _softmax(lg)) for t, doc, lg in zip(texts, documents, logits, strict=True)]


def decode(text: str, tokens: Tokens, probabilities: np.ndarray) -> list[Entity]:
    """BIO tags (argmax per token) → entities of whole words. A word keeps the label of its first piece; an I- tag
    continues a span of its label on the same line; anything else opens a new span."""
    entities: list[Entity] = []
    current: list = []  # [label, first token, last token, confidences]

    def close() -> None:
        if current:
            label, first, last, confidences = current
            start, end = _word_bounds(text, int(tokens.starts[first]), int(tokens.ends[last]))
            if start < end:  # not punctuation alone
                entities.append(Entity(label, start, end, text[start:end], float(np.mean(confidences))))

    for i, tag in enumerate(probabilities.argmax(1).tolist()) if len(tokens) else ():
        if current and _inside_word(text, tokens, i):  # a word keeps the label of its first piece
            current[2] = i
            continue
        if tag == 0:
            close()
            current = []
            continue
        prefix, label = TAGS[tag].split("-", 1)
        joined = prefix == "I" and "\n" not in text[tokens.ends[i - 1] : tokens.starts[i]]  # no span crosses a line
        if current and label == current[0] and joined:
            current[2] = i
            current[3].append(float(probabilities[i, tag]))
        else:
            close()
            current = [label, i, i, [float(probabilities[i, tag])]]
    close()
    return entities


def _inside_word(text: str, tokens: Tokens, i: int) -> bool:
    """Whether token ``i`` continues the word of token ``i - 1`` (no gap, letters or digits on both sides)."""
    if i == 0 or tokens.starts[i] != tokens.ends[i - 1]:
        return False
    return text[tokens.starts[i]].isalnum() and text[tokens.ends[i - 1] - 1].isalnum()


def _word_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The span widened to whole words, less separators at its edges ("CLEARWIRE-", "Sales &")."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    while end > start and text[end - 1] in EDGE_SEPARATORS:
        end -= 1
    while start < end and text[start] in EDGE_SEPARATORS:
        start += 1
    return start, end


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.exp(logits - logits.max(-1, keepdims=True))
    return shifted / shifted.sum(-1, keepdims=True)


class EntityModel(Protocol):
    version: str

    def tag(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Entities of every text, in text order."""
        ...


@cache
def entity_model_version(source: str | None) -> str:
    """``source``'s version (``TALENTQ_RESUME_MODEL``; None: the bundled model, by its weights' digest)."""
    if source:
        return f"{ENTITY_MODEL_VERSION}+{source}"
    return f"{ENTITY_MODEL_VERSION}-{_digest(BUNDLED_ENTITIES)}"


def _digest(path: Path) -> str:
    """A weights file's version: the start of its SHA-256."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


class ResumeEntityModel:
    """The bundled model on ``encoder`` (which must be the bundled encoder), under the encoder's runtime."""

    def __init__(self, encoder: Encoder, path: Path = BUNDLED_ENTITIES, trained: tuple | None = None) -> None:
        """``trained``: an (``EntityNet``, ``EntityHead``) pair to use instead of the file (training, evaluation)."""
        self.encoder = encoder
        self.tokenizer = encoder.tokenizer
        self.net, self.head = trained or load_entity_model(path, encoder.model, encoder.info.name)
        digest = _digest(path) if trained is None else "unsaved"
        self.version = f"{ENTITY_MODEL_VERSION}-{digest}"
        self.backend: Backend = load_backend(
            self._spec(path, digest), encoder.runtime, encoder.device, cache_dir=encoder.cache_dir
        )

    def _spec(self, path: Path, digest: str) -> ModelSpec:
        def export_module() -> nn.Module:
            base = AutoModel.from_pretrained(self.encoder.source, attn_implementation="eager").eval()
            return load_entity_model(path, base, self.encoder.info.name)[0]

        return ModelSpec(
            name=f"talentq-{path.stem}",
            identity=f"{source_fingerprint(self.encoder.source)}|{digest}",
            source=self.encoder.source,
            torch_module=lambda: self.net,
            export_module=export_module,
            output="states",
            output_axes={0: "batch", 1: "tokens"},
        )

    def tag(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Entities of every text; the network runs over the windows of all texts together."""
        return tag_texts(
            texts, self.tokenizer, self.encoder.batch_tokens, self.backend, partial(head_logits, self.head)
        )


class HubEntityModel:
    """A Hugging Face token-classification model whose ``id2label`` are ``TAGS`` (``TALENTQ_RESUME_MODEL``), run by
    ``load_backend`` over the same windows."""

    def __init__(
        self, source: str, runtime: str = "fp32", device: str = "auto", batch_tokens: int = 512, cache_dir=None
    ) -> None:
        self.tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForTokenClassification.from_pretrained(source)
        labels = [model.config.id2label[i] for i in range(model.config.num_labels)]
        if sorted(labels) != sorted(TAGS):
            raise ValueError(f"{source} tags {labels}, not talentq's résumé tags {list(TAGS)}")
        self.order = [labels.index(tag) for tag in TAGS]  # its logits in the order of TAGS
        self.batch_tokens = batch_tokens
        self.version = entity_model_version(source)
        target = resolve_device(device)
        spec = ModelSpec(
            name=Path(source).name or source,
            identity=source_fingerprint(source),
            source=source,
            torch_module=lambda: _Logits(model.eval().to(target)),
            export_module=lambda: _Logits(
                AutoModelForTokenClassification.from_pretrained(source, attn_implementation="eager").eval()
            ),
            output="logits",
            output_axes={0: "batch", 1: "tokens"},
        )
        self.backend = load_backend(spec, runtime, target, cache_dir=cache_dir)

    def tag(self, texts: Sequence[str]) -> list[list[Entity]]:
        return tag_texts(texts, self.tokenizer, self.batch_tokens, self._window_logits, lambda rows, _shapes: rows)

    def _window_logits(self, input_ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return self.backend(input_ids, mask)[..., self.order]


class _Logits(nn.Module):
    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.model(input_ids=input_ids, attention_mask=attention_mask).logits
