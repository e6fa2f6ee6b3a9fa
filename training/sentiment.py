"""Fine-tune the bundled sentiment network on SST-2 and write its asset and metrics.

By default low-rank adapters on every encoder layer (``--adapter lora``; ``--adapter layers`` trains the top
``--trained-layers`` outright, as before) and a one-logit head; the embeddings stay the shared encoder's. The
calibration slice of the training side (``training.data``) gives the early-stopping split (all of it, or its
first ``--stopping-rows``): scored every ``--eval-every`` steps, the best state is kept (and written, with its
metrics so far, so a run cut short on a busy CPU leaves its best checkpoint) and training stops after
``--patience`` evaluations without gain. Temperature scaling on the calibration slice then makes
``sigmoid(logit / T)`` a probability, and the theme map (``training.theme_map``) is fitted on ``--theme-map-rows``
training sentences. The held-out split is scored once, at the end, and never chooses anything.

    python -m training.sentiment --data ../shared/data/sentiment-train.tsv
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file
from sklearn.metrics import accuracy_score, f1_score

from training.data import FULL_SENTENCE_WORDS, Example, read_sentiment_tsv, split_examples
from training.theme_map import fit_theme_map, theme_cosine
from workers.engine.encoder import Encoder
from workers.sentiment import lora
from workers.sentiment.network import ASSETS_DIR, BUNDLED_HEAD, Adapter, SentimentNet

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Hyperparameters:
    adapter: str = "lora"  # or "layers": the top trained_layers trained outright
    trained_layers: int = 6
    lora_rank: int = 8
    lora_alpha: float = 16.0
    max_train_rows: int = 0  # a seeded sample; 0 = the whole training side
    epochs: int = 1
    batch_size: int = 32
    max_tokens: int = 64
    lr: float = 1e-3
    weight_decay: float = 0.01
    warmup_fraction: float = 0.06
    eval_every: int = 100  # steps between scores on the early-stopping split
    stopping_rows: int = 0  # the first rows of the calibration slice; 0 = all of it (1,000 rows: too noisy)
    patience: int = 3  # evaluations without gain before stopping
    torch_threads: int = 2
    init_from: str = ""  # a saved lora network to continue training from (a second run on a busy CPU)
    theme_map_rows: int = 8000  # training sentences the theme map is fitted on


def train_sentiment(
    data: Path, out_dir: Path = ASSETS_DIR, seed: int = 13, hp: Hyperparameters | None = None
) -> dict[str, object]:
    """Train, calibrate and evaluate on the held-out split; write the asset and metrics to ``out_dir``."""
    hp = hp or Hyperparameters()
    torch.manual_seed(seed)
    torch.set_num_threads(hp.torch_threads)
    rng = random.Random(seed)
    split = split_examples(read_sentiment_tsv(data))
    train = rng.sample(split.train, min(hp.max_train_rows, len(split.train))) if hp.max_train_rows else split.train

    started = time.perf_counter()
    encoder = Encoder(device="cpu")
    adapter = Adapter(hp.adapter, hp.trained_layers, hp.lora_rank, hp.lora_alpha)  # type: ignore[arg-type]
    net = SentimentNet.on(encoder, hp.trained_layers)
    for module in net.frozen_modules():
        module.requires_grad_(False)
    net.theme_map.requires_grad_(False)  # fitted after training (training.theme_map)
    if adapter.kind == "lora":
        net.top.requires_grad_(False)
        lora.wrap(net.top, adapter.rank, adapter.alpha)
    if hp.init_from:
        _continue_from(net, Path(hp.init_from))
    stopping_split = split.calibration[: hp.stopping_rows or None]

    def checkpoint(best: dict[str, object], logits: np.ndarray) -> None:
        net.temperature = _fit_temperature(logits, _labels(stopping_split))
        net.save(out_dir / BUNDLED_HEAD.name, adapter, {"seed": seed, **asdict(hp)})
        partial = {"checkpoint": best, "temperature": round(net.temperature, 4), "hyperparameters": asdict(hp)}
        (out_dir / "sentiment_metrics.json").write_text(json.dumps(partial, indent=2) + "\n", encoding="utf-8")

    stopping = _fit(net, train, stopping_split, hp, rng, checkpoint)
    net.temperature = _fit_temperature(_logits(net, split.calibration, hp), _labels(split.calibration))
    fit_theme_map(net, encoder, [e.text for e in rng.sample(split.train, hp.theme_map_rows)], hp.max_tokens)
    train_seconds = time.perf_counter() - started

    heldout_logits = _logits(net, split.heldout, hp)
    predicted = (heldout_logits > 0).astype(int)
    truth = _labels(split.heldout)
    full = np.array([len(e.text.split()) >= FULL_SENTENCE_WORDS for e in split.heldout])
    metrics: dict[str, object] = {
        "heldout_accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "heldout_macro_f1": round(float(f1_score(truth, predicted, average="macro")), 4),
        "heldout_full_sentence_accuracy": round(float(accuracy_score(truth[full], predicted[full])), 4),
        "heldout_full_sentence_rows": int(full.sum()),
        "early_stopping": stopping,
        "heldout_nll_uncalibrated": round(_nll(heldout_logits, truth, 1.0), 4),
        "heldout_nll_calibrated": round(_nll(heldout_logits, truth, net.temperature), 4),
        "temperature": round(net.temperature, 4),
        "theme_cosine_to_encoder": round(theme_cosine(net, encoder, _texts(split.calibration), hp.max_tokens), 4),
        "seed": seed,
        "hyperparameters": asdict(hp),
        "train_seconds": round(train_seconds, 1),
        "samples": {"train": len(train), "calibration": len(split.calibration), "heldout": len(split.heldout)},
        "data": data.name,
        "encoder": encoder.info.name,
    }
    net.save(out_dir / BUNDLED_HEAD.name, adapter, {"seed": seed, **asdict(hp)})
    (out_dir / "sentiment_metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    log.info("sentiment model trained: %s", metrics)
    return metrics


@torch.no_grad()
def _continue_from(net: SentimentNet, path: Path) -> None:
    """Start from a saved lora network's adapters and head (same rank) instead of from scratch."""
    saved = load_file(str(path))
    for name, tensor in lora.adapters(net.top).items():
        tensor.copy_(saved[f"lora.{name}"].float())
    net.head.load_state_dict({k[5:]: v.float() for k, v in saved.items() if k.startswith("head.")})


def _texts(examples: list[Example]) -> list[str]:
    return [e.text for e in examples]


def _labels(examples: list[Example]) -> np.ndarray:
    return np.array([e.label for e in examples])


def _batches(examples: list[Example], batch_size: int, rng: random.Random) -> list[list[Example]]:
    """Shuffled batches of similar length (sorted within pools of 50 batches): less padding, still random."""
    shuffled = rng.sample(examples, len(examples))
    pool = batch_size * 50
    batches = []
    for start in range(0, len(shuffled), pool):
        chunk = sorted(shuffled[start : start + pool], key=lambda e: len(e.text))
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def _fit(
    net: SentimentNet,
    train: list[Example],
    stopping: list[Example],
    hp: Hyperparameters,
    rng: random.Random,
    checkpoint: Callable[[dict[str, object], np.ndarray], None],
) -> dict[str, object]:
    """Train, scoring ``stopping`` every ``eval_every`` steps and passing each new best to ``checkpoint``; leaves
    ``net`` at its best score and says which."""
    params = [p for p in net.parameters() if p.requires_grad]
    best: dict[str, object] = {"step": 0, "accuracy": _accuracy(net, stopping, hp)[0]}
    best_state = _trainable_state(net)
    stale = 0
    optimizer = torch.optim.AdamW(params, lr=hp.lr, weight_decay=hp.weight_decay)
    total = hp.epochs * math.ceil(len(train) / hp.batch_size)
    warmup = max(1, int(total * hp.warmup_fraction))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / (total - warmup)))
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    step, started, running = 0, time.perf_counter(), 0.0
    net.top.train()
    net.head.train()
    for epoch in range(hp.epochs):
        for batch in _batches(train, hp.batch_size, rng):
            if stale >= hp.patience:
                break
            logits = net.logit(**net.tokenize(_texts(batch), hp.max_tokens))
            loss = loss_fn(logits, torch.tensor([float(e.label) for e in batch], device=net.device))
            optimizer.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            schedule.step()
            step += 1
            running = 0.98 * running + 0.02 * loss.item() if step > 1 else loss.item()
            if step % 100 == 0 or step == total:
                elapsed = time.perf_counter() - started
                log.info(
                    "epoch %d step %d/%d loss %.3f %.0fs (eta %.0fs)",
                    epoch,
                    step,
                    total,
                    running,
                    elapsed,
                    elapsed / step * (total - step),
                )
            if step % hp.eval_every == 0 or step == total:
                accuracy, logits = _accuracy(net, stopping, hp)
                log.info("step %d early-stopping accuracy %.4f (best %.4f)", step, accuracy, best["accuracy"])
                if accuracy > float(best["accuracy"]):  # type: ignore[arg-type]
                    best, best_state, stale = {"step": step, "accuracy": accuracy}, _trainable_state(net), 0
                    checkpoint(best, logits)
                else:
                    stale += 1
                net.top.train()
                net.head.train()
    net.load_state_dict(best_state, strict=False)
    net.eval()
    return {**best, "steps_run": step, "rows": len(stopping)}


def _trainable_state(net: SentimentNet) -> dict[str, torch.Tensor]:
    return {name: p.detach().clone() for name, p in net.named_parameters() if p.requires_grad}


def _accuracy(net: SentimentNet, examples: list[Example], hp: Hyperparameters) -> tuple[float, np.ndarray]:
    """Accuracy on ``examples`` and the logits it came from."""
    net.eval()
    logits = _logits(net, examples, hp)
    return round(float(accuracy_score(_labels(examples), (logits > 0).astype(int))), 4), logits


def _logits(net: SentimentNet, examples: list[Example], hp: Hyperparameters) -> np.ndarray:
    return net.logits(_texts(examples), hp.max_tokens)


def _nll(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    z = logits / temperature
    # log(1 + e^-z) for positives, log(1 + e^z) for negatives, computed stably.
    return float(np.mean(np.logaddexp(0.0, np.where(labels == 1, -z, z))))


def _fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature minimising negative log-likelihood on the calibration slice (grid over 0.25–8)."""
    grid = np.exp(np.linspace(math.log(0.25), math.log(8.0), 401))
    return float(min(grid, key=lambda t: _nll(logits, labels, t)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="sentiment TSV (text<TAB>label, 1 = positive)")
    parser.add_argument("--out-dir", type=Path, default=ASSETS_DIR)
    parser.add_argument("--seed", type=int, default=13)
    defaults = Hyperparameters()
    for name, value in asdict(defaults).items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=value)
    args = vars(parser.parse_args(argv))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    data, out_dir, seed = args.pop("data"), args.pop("out_dir"), args.pop("seed")
    print(json.dumps(train_sentiment(data, out_dir, seed, Hyperparameters(**args)), indent=2))


if __name__ == "__main__":
    main()
