"""Train the résumé entity model (``workers/resume/entities.py``) on span-labelled résumés.

The dev set's labels map onto the model's tags as ``LABEL_MAP`` says (e-mails and date ranges are left to exact
rules). A token is inside an entity when its characters overlap the span; the first token is B-, the rest I-.

The encoder's lower layers are frozen, so what they give each window is computed once per résumé and cached
(``<TALENTQ_CACHE_DIR>/entity-windows/``, keyed by encoder, layers, window layout and text); training then runs only
the trained layers and the head, on the same overlapping windows the model reads at parse time, in batches of windows
of one length (no padding), cross-entropy per token, AdamW with a linear decay, ``EPOCHS`` passes in a seeded order:
the same documents give the same weights.

    talentq train resume-ner --data ../shared/data/resumes-dev.jsonl [--seed 13] [--epochs 8] [--out PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from config.settings import get_settings
from evaluation.labels import read_rows
from workers.engine.encoder import Encoder
from workers.resume.entities import (
    BUNDLED_ENTITIES,
    LOWER_LAYERS,
    OVERLAP,
    TAGS,
    WINDOW_TOKENS,
    EntityHead,
    EntityNet,
    Tokens,
    save_entity_model,
    tokenize,
    windows,
)
from workers.resume.sections import clean

log = logging.getLogger(__name__)

LABEL_MAP = {
    "Name": "NAME",
    "Designation": "TITLE",
    "Companies worked at": "COMPANY",
    "College Name": "COLLEGE",
    "Degree": "DEGREE",
    "Graduation Year": "GRAD_YEAR",
    "Location": "LOCATION",
    "Tech Tools": "SKILL",
    "Job Specific Skills": "SKILL",
    "Soft Skills": "SKILL",
}
BATCH, EPOCHS = 8, 8
MIN_REPEAT_CHARS = 3
TOP_LEARNING_RATE, HEAD_LEARNING_RATE, WEIGHT_DECAY = 1e-4, 2e-3, 1e-2


@dataclass(frozen=True)
class Window:
    """One training window: the frozen layers' states ([CLS] + body + [SEP]), the body's shapes and gold tags."""

    lower: torch.Tensor
    shapes: torch.Tensor
    tags: torch.Tensor


def with_repeats(text: str, entities: Sequence[dict]) -> list[dict]:
    """The labelled spans and every other mention of their words in the résumé. The annotators often marked a
    company, title or place once and left its later mentions unlabelled; trained as they are, those mentions
    teach the model that the same words are nothing. Graduation years and texts of under ``MIN_REPEAT_CHARS``
    are not repeated (a year recurs in every date range; "C" or "IT" inside other words)."""
    taken = [(e["start"], e["end"]) for e in entities]
    out = list(entities)
    for entity in entities:
        words = text[entity["start"] : entity["end"]].strip()
        if LABEL_MAP.get(entity["label"]) in (None, "GRAD_YEAR") or len(words) < MIN_REPEAT_CHARS:
            continue
        for match in re.finditer(rf"(?<!\w){re.escape(words)}(?!\w)", text):
            if not any(a < match.end() and b > match.start() for a, b in taken):
                taken.append(match.span())
                out.append({"label": entity["label"], "start": match.start(), "end": match.end()})
    return out


def gold_tags(tokens: Tokens, entities: Sequence[dict]) -> np.ndarray:
    tags = np.zeros(len(tokens), dtype=np.int64)
    for entity in entities:
        label = LABEL_MAP.get(entity["label"])
        if label is None:
            continue
        inside = np.flatnonzero((tokens.starts < entity["end"]) & (tokens.ends > entity["start"]))
        if len(inside):
            tags[inside] = TAGS.index(f"I-{label}")
            tags[inside[0]] = TAGS.index(f"B-{label}")
    return tags


def labelled_windows(rows: Sequence[dict], encoder: Encoder) -> list[list[Window]]:
    """Each labelled row's (``text``, ``entities``) training windows, the frozen layers' states from the cache."""
    out = []
    for row in rows:
        text = clean(row["text"])  # as the parser reads it (same length: the spans still hold)
        tokens = tokenize(encoder.tokenizer, text)
        tags = gold_tags(tokens, with_repeats(text, row["entities"]))
        lower = _lower_states(encoder, text, tokens)
        out.append(
            [
                Window(torch.from_numpy(states), torch.from_numpy(tokens.shapes[a:b]), torch.from_numpy(tags[a:b]))
                for (a, b, _, _), states in zip(windows(len(tokens)), lower, strict=True)
            ]
        )
    return out


def _lower_states(encoder: Encoder, text: str, tokens: Tokens) -> list[np.ndarray]:
    """The states after the frozen layers, one array per window, read from or written to the cache."""
    first = LOWER_LAYERS
    layout = f"{encoder.info.version}|{first}|{WINDOW_TOKENS}|{OVERLAP}"  # the states of these windows
    key = hashlib.sha256(f"{layout}|{text}".encode()).hexdigest()[:32]
    path = get_settings().cache_dir / "entity-windows" / f"{key}.npz"
    if path.exists():
        with np.load(path) as cached:
            return [cached[f"w{k}"].astype(np.float32) for k in range(len(cached.files))]
    cls, sep = encoder.tokenizer.cls_token_id, encoder.tokenizer.sep_token_id
    states = []
    with torch.inference_mode():
        for a, b, _, _ in windows(len(tokens)):
            ids = torch.tensor([[cls, *tokens.ids[a:b].tolist(), sep]], device=encoder.device)
            hidden = encoder.model(input_ids=ids, attention_mask=torch.ones_like(ids), output_hidden_states=True)
            states.append(hidden.hidden_states[first][0].float().cpu().numpy())
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **{f"w{k}": s.astype(np.float16) for k, s in enumerate(states)})
    return states


def _batches(data: Sequence[Window], rng: np.random.RandomState) -> list[list[int]]:
    """Batches of up to ``BATCH`` windows of one length, in a shuffled order."""
    by_length: dict[int, list[int]] = {}
    for i in rng.permutation(len(data)).tolist():
        by_length.setdefault(len(data[i].tags), []).append(i)
    batches = [same[a : a + BATCH] for same in by_length.values() for a in range(0, len(same), BATCH)]
    return [batches[i] for i in rng.permutation(len(batches))]


@dataclass
class Trained:
    net: EntityNet
    head: EntityHead
    losses: list[float]  # mean training loss per epoch


def train(documents: Sequence[list[Window]], encoder: Encoder, seed: int = 13, epochs: int = EPOCHS) -> Trained:
    """The top layers (from the encoder's) and a new head, fitted on the windows of ``documents``."""
    torch.manual_seed(seed)
    net = EntityNet(encoder.model)
    head = EntityHead(encoder.info.dim).to(encoder.device)
    data = [w for doc in documents for w in doc]
    plan = [_batches(data, np.random.RandomState(seed + epoch)) for epoch in range(epochs)]
    optimiser = torch.optim.AdamW(
        [{"params": net.top.parameters(), "lr": TOP_LEARNING_RATE}, {"params": head.parameters()}],
        lr=HEAD_LEARNING_RATE,
        weight_decay=WEIGHT_DECAY,
    )
    steps = max(1, sum(map(len, plan)))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, 20 * step / steps) * (1 - step / steps)
    )
    net.top.train()
    head.train()
    losses = []
    for epoch, batches in enumerate(plan):
        started, total = time.perf_counter(), 0.0
        for batch in batches:
            lower = torch.stack([data[i].lower for i in batch]).to(encoder.device)
            body = net.top_states(lower)[:, 1:-1]
            x = torch.cat([body, torch.stack([data[i].shapes for i in batch]).to(encoder.device)], 2)
            loss = torch.nn.functional.cross_entropy(
                head(x).transpose(1, 2), torch.stack([data[i].tags for i in batch]).to(encoder.device)
            )
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([*net.top.parameters(), *head.parameters()], 1.0)
            optimiser.step()
            schedule.step()
            total += loss.item() * len(batch)
        losses.append(total / max(1, len(data)))
        log.info("epoch %d/%d: loss %.4f (%.0f s)", epoch + 1, epochs, losses[-1], time.perf_counter() - started)
    return Trained(net.eval(), head.eval(), losses)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Train the résumé entity model on span-labelled résumés.")
    parser.add_argument("--data", type=Path, default=Path("../shared/data/resumes-dev.jsonl"))
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--out", type=Path, default=BUNDLED_ENTITIES)
    args = parser.parse_args(argv)
    if not args.data.is_file():
        raise SystemExit(f"error: no labelled résumés at {args.data} (JSONL with text and entities)")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.manual_seed(args.seed)
    encoder = Encoder(device="cpu" if not torch.cuda.is_available() else "cuda")
    started = time.perf_counter()
    documents = labelled_windows(read_rows(args.data), encoder)
    log.info("frozen layers' states of %d résumés: %.0f s", len(documents), time.perf_counter() - started)
    trained = train(documents, encoder, args.seed, args.epochs)
    save_entity_model(args.out, trained.net, trained.head, encoder.info.name)
    size = args.out.stat().st_size / 1e6
    print(f"wrote {args.out} ({size:.1f} MB) in {time.perf_counter() - started:.0f} s; losses {trained.losses}")


if __name__ == "__main__":
    main()
