"""talentq's sentiment model against two baselines, on the fixed held-out 10 % of a sentiment TSV.

All three are scored as binary classifiers on the same rows (``training.data`` split), on every held-out row and
on its full-sentence rows only (``FULL_SENTENCE_WORDS`` words or more: most shorter SST-2 rows are phrases, unlike
real comments):

- **talentq**: ``SentimentModel.analyze``; a neutral prediction counts as its more likely
  side, i.e. positive when P(positive) ≥ 0.5.
- **VADER**: the lexicon baseline; compound ≥ 0 counts as positive (texts without
  sentiment words score 0 and so fall on the majority side).
- **plain**: frozen encoder embeddings (mean-pooled) + ``LogisticRegression`` trained on
  the training side of the same split: what the encoder gives without fine-tuning.

    python -m evaluation.sentiment --data ../shared/data/sentiment-train.tsv
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from training.data import FULL_SENTENCE_WORDS, Example, read_sentiment_tsv, split_examples
from workers.engine.backends import RUNTIMES
from workers.engine.encoder import Encoder
from workers.sentiment.model import SentimentModel

Predictor = Callable[[list[str]], np.ndarray]


@dataclass(frozen=True)
class SystemScore:
    system: str
    accuracy: float
    macro_f1: float
    full_sentence_accuracy: float


@dataclass(frozen=True)
class SentimentReport:
    data: str
    heldout_rows: int
    full_sentence_rows: int
    baseline_train_rows: int
    scores: list[SystemScore]


def evaluate_sentiment(
    path: Path,
    heldout_limit: int | None = None,
    baseline_train_rows: int | None = None,
    model: SentimentModel | None = None,
    seed: int = 13,
) -> SentimentReport:
    """Score the three systems on the held-out split (its first ``heldout_limit`` rows, if given).

    ``baseline_train_rows`` caps the plain baseline's training rows (a seeded sample) to keep tests quick.
    """
    split = split_examples(read_sentiment_tsv(path))
    heldout = split.heldout[:heldout_limit]
    train_side = split.train + split.calibration
    if baseline_train_rows is not None:
        train_side = random.Random(seed).sample(train_side, min(baseline_train_rows, len(train_side)))
    model = model or SentimentModel(Encoder())
    predictors: dict[str, Predictor] = {
        "talentq": _talentq(model),
        "VADER (compound ≥ 0)": _vader(),
        "plain (frozen encoder + logistic regression)": _plain(model.encoder, train_side),
    }
    truth = np.array([e.label for e in heldout])
    texts = [e.text for e in heldout]
    full = np.array([len(text.split()) >= FULL_SENTENCE_WORDS for text in texts], dtype=bool)
    scores = [_score(name, truth, predict(texts), full) for name, predict in predictors.items()]
    return SentimentReport(path.name, len(heldout), int(full.sum()), len(train_side), scores)


def _score(system: str, truth: np.ndarray, predicted: np.ndarray, full: np.ndarray) -> SystemScore:
    return SystemScore(
        system,
        float(accuracy_score(truth, predicted)),
        float(f1_score(truth, predicted, average="macro")),
        float(accuracy_score(truth[full], predicted[full])),
    )


def _talentq(model: SentimentModel) -> Predictor:
    return lambda texts: np.array([int(r.positive_probability >= 0.5) for r in model.analyze(texts)])


def _vader() -> Predictor:
    analyzer = SentimentIntensityAnalyzer()
    return lambda texts: np.array([int(analyzer.polarity_scores(t)["compound"] >= 0) for t in texts])


def _plain(encoder: Encoder, train: list[Example]) -> Predictor:
    classifier = LogisticRegression(max_iter=2000)
    classifier.fit(encoder.embed([e.text for e in train]), [e.label for e in train])
    return lambda texts: classifier.predict(encoder.embed(texts))


def print_report(report: SentimentReport, console: Console | None = None) -> None:
    table = Table(
        "system",
        "accuracy",
        "macro-F1",
        f"accuracy, ≥ {FULL_SENTENCE_WORDS} words ({report.full_sentence_rows} rows)",
        title=f"Sentiment — {report.data}, held-out split ({report.heldout_rows} rows; "
        f"plain baseline trained on {report.baseline_train_rows})",
    )
    for score in report.scores:
        table.add_row(
            score.system, f"{score.accuracy:.4f}", f"{score.macro_f1:.4f}", f"{score.full_sentence_accuracy:.4f}"
        )
    (console or Console()).print(table)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="sentiment TSV (text<TAB>label, 1 = positive)")
    parser.add_argument("--heldout-limit", type=int, default=None)
    parser.add_argument("--baseline-train-rows", type=int, default=None)
    parser.add_argument("--runtime", default="fp32", choices=RUNTIMES, help="talentq's runtime (docs/runtime.md)")
    args = parser.parse_args(argv)
    model = SentimentModel(Encoder(runtime=args.runtime))
    print_report(evaluate_sentiment(args.data, args.heldout_limit, args.baseline_train_rows, model))


if __name__ == "__main__":
    main()
