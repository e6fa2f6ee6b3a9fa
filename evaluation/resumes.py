"""The résumé parser against the span-labelled dev set (``../shared/data/resumes-dev.jsonl``).

Label → talentq field:

- ``Name`` → ``name``; ``Email Address`` → ``emails``; ``Location`` → ``locations`` (every place mentioned: the
  labels mark job and school places too, not only the candidate's);
- ``Tech Tools``, ``Job Specific Skills``, ``Soft Skills`` → ``skills``: an extracted skill matches by its words as
  written or its canonical taxonomy name. The three labels are also shown alone, recall only (a parser skill has no
  label type, so per-label precision is undefined);
- ``Designation`` → experience titles; ``Companies worked at`` → experience companies;
- ``College Name`` → the institutions of ``higher`` education entries (the annotators left high schools out: one of
  the 798 labels is a high school); ``Degree`` → education degrees;
- ``Graduation Year`` → education ``graduation_year``: the labels are dates or ranges ("Oct. 2009 - Jan. 2014"),
  so a label matches the year when its last four-digit year equals it;
- ``Years of Experience`` → the date ranges of experience entries: the labels mark those ranges ("2008 -
  Present"), not a number of years, so the range texts are compared.

Per résumé and field, the labelled spans and the extracted values are each reduced to their distinct normalised
texts (casefold, whitespace collapsed, punctuation stripped at the edges). Three readings:

- ``rule`` (the readings of earlier parser versions): a labelled text is found when some extracted value
  normalises to it; an extracted value is correct when it normalises to some labelled text;
- ``strict``: one-to-one, a value pairs with at most one label, when rapidfuzz's ``token_sort_ratio`` ≥ 85 (best
  pairs first);
- ``exact``: one-to-one, normalised equality.

Cross-validation (``--cv K`` or ``--cv halves``) is nested: the résumés are split into document folds (shuffled
with ``--seed``), and each fold is parsed by an entity model (``training/resume_entities.py``) and a skill scorer
(``training/skill_scorer.py``, tagger, prior and threshold included) both trained on the other folds only. A plain
run scores the shipped models, which were trained on this whole set: optimistic.

    python -m evaluation.resumes ../shared/data/resumes-dev.jsonl [--limit N] [--cv K|halves] [--seed S]
"""

from __future__ import annotations

import argparse
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz.fuzz import token_sort_ratio
from rich.console import Console
from rich.table import Table

from config.settings import get_settings
from evaluation.labels import SKILL_LABELS, normalize, read_rows
from workers import registry
from workers.resume.entities import ResumeEntityModel
from workers.resume.parser import ResumeParser
from workers.resume.schema import ParsedResume

log = logging.getLogger(__name__)
READINGS = ("rule", "strict", "exact")
STRICT_RATIO = 85
YEAR_RE = re.compile(r"(?:19|20)\d\d")


def _last_year(label: str) -> str:
    years = YEAR_RE.findall(label)
    return years[-1] if years else normalize(label)


# talentq field → (labels, extracted values as sets of acceptable keys, key of a label text)
Extractor = Callable[[ParsedResume], list[set[str]]]
FIELDS: dict[str, tuple[tuple[str, ...], Extractor, Callable[[str], str]]] = {
    "name": (("Name",), lambda p: [{normalize(p.name.value)}] if p.name else [], normalize),
    "emails": (("Email Address",), lambda p: [{normalize(e.value)} for e in p.emails], normalize),
    "skills": (SKILL_LABELS, lambda p: [{normalize(s.text), normalize(s.name)} for s in p.skills], normalize),
    "experience.title": (
        ("Designation",),
        lambda p: [{normalize(e.title.value)} for e in p.experience if e.title],
        normalize,
    ),
    "experience.company": (
        ("Companies worked at",),
        lambda p: [{normalize(e.company.value)} for e in p.experience if e.company],
        normalize,
    ),
    "experience.dates": (
        ("Years of Experience",),
        lambda p: [{normalize(e.dates.value)} for e in p.experience if e.dates],
        normalize,
    ),
    "education.institution": (
        ("College Name",),
        lambda p: [{normalize(e.institution.value)} for e in p.education if e.institution and e.level == "higher"],
        normalize,
    ),
    "education.degree": (
        ("Degree",),
        lambda p: [{normalize(e.degree.value)} for e in p.education if e.degree],
        normalize,
    ),
    "education.year": (
        ("Graduation Year",),
        lambda p: [{str(e.graduation_year)} for e in p.education if e.graduation_year],
        _last_year,
    ),
    "locations": (("Location",), lambda p: [{normalize(loc.value)} for loc in p.locations], normalize),
}


@dataclass
class Counts:
    support: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.support if self.support else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class FieldScore:
    """A field's counts under each reading; a per-label skills row has recall only."""

    field: str
    labels: str
    with_precision: bool = True
    readings: dict[str, Counts] = field(default_factory=lambda: {r: Counts() for r in READINGS})


@dataclass
class EvalReport:
    documents: int
    seconds: float
    scores: dict[str, FieldScore]

    def macro_f1(self, reading: str) -> float:
        rows = [s.readings[reading].f1 for s in self.scores.values() if s.with_precision]
        return sum(rows) / len(rows)


def empty_scores() -> dict[str, FieldScore]:
    scores = {name: FieldScore(name, ", ".join(labels)) for name, (labels, _, _) in FIELDS.items()}
    return scores | {label: FieldScore(f"skills: {label}", label, with_precision=False) for label in SKILL_LABELS}


def score_parsed(scores: dict[str, FieldScore], row: dict, parsed: ParsedResume) -> None:
    for name, (labels, extract, label_key) in FIELDS.items():
        predicted = extract(parsed)
        _count(scores[name], {label_key(e["text"]) for e in row["entities"] if e["label"] in labels}, predicted)
        if name == "skills":
            for label in SKILL_LABELS:
                _count(scores[label], {label_key(e["text"]) for e in row["entities"] if e["label"] == label}, predicted)


def _count(score: FieldScore, gold: set[str], predicted: list[set[str]]) -> None:
    distinct = list({frozenset(p) for p in predicted})
    keys = set().union(*distinct) if distinct else set()
    rule = score.readings["rule"]
    rule.support += len(gold)
    rule.found += len(gold & keys)
    rule.predicted += len(distinct)
    rule.correct += sum(1 for p in distinct if p & gold)
    for reading, threshold in (("strict", STRICT_RATIO), ("exact", 100)):
        matched = _one_to_one(sorted(gold), distinct, threshold)
        counts = score.readings[reading]
        counts.support += len(gold)
        counts.predicted += len(distinct)
        counts.found += matched
        counts.correct += matched


def _one_to_one(gold: Sequence[str], predicted: Sequence[frozenset[str]], threshold: int) -> int:
    """How many (label, value) pairs match when each may be used once, the most similar pairs first."""
    pairs = []
    for g, label in enumerate(gold):
        for p, keys in enumerate(predicted):
            similarity = 100.0 if label in keys else max(token_sort_ratio(label, key) for key in keys)
            if similarity >= threshold:
                pairs.append((-similarity, g, p))
    used_gold, used_predicted = set(), set()
    for _, g, p in sorted(pairs):
        if g not in used_gold and p not in used_predicted:
            used_gold.add(g)
            used_predicted.add(p)
    return len(used_gold)


def evaluate_resumes(path: Path, limit: int | None = None, parser: ResumeParser | None = None) -> EvalReport:
    """Parse every résumé of the JSONL file (or the first ``limit``) and score each field; ``parser`` defaults to
    the configured one (the shipped models)."""
    rows = read_rows(path, limit)
    parser = parser or registry.resume_parser(get_settings())
    scores = empty_scores()
    started = time.perf_counter()
    for row, parsed in zip(rows, parser.parse_many([row["text"] for row in rows]), strict=True):
        score_parsed(scores, row, parsed)
    return EvalReport(len(rows), time.perf_counter() - started, scores)


def cross_validate(
    path: Path, folds: int | str = 5, seed: int = 13, limit: int | None = None
) -> tuple[EvalReport, dict[str, EvalReport]]:
    """The report pooled over held-out folds (see the module docstring), and each fold's own report."""
    from training.resume_entities import labelled_windows, train
    from training.skill_scorer import document_folds, fit_scorer, labelled_resume

    rows = read_rows(path, limit)
    base = registry.resume_parser(get_settings())
    started = time.perf_counter()
    windows = labelled_windows(rows, base.encoder)
    split = (
        {"even": list(range(0, len(rows), 2)), "odd": list(range(1, len(rows), 2))}
        if folds == "halves"
        else {f"fold {k + 1}": fold for k, fold in enumerate(document_folds(len(rows), int(folds), seed))}
    )
    pooled, per_fold = empty_scores(), {}
    for name, fold in split.items():
        held = set(fold)
        trained = train([w for i, w in enumerate(windows) if i not in held], base.encoder, seed)
        entity_model = ResumeEntityModel(base.encoder, trained=(trained.net, trained.head))
        candidates = base.with_models(entity_model, None)  # the skill scorer's training candidates, its model's
        training = [
            labelled_resume(rows[i]["text"], rows[i]["entities"], candidates) for i in range(len(rows)) if i not in held
        ]
        parser = base.with_models(entity_model, fit_scorer(training, seed))
        per_fold[name] = EvalReport(len(fold), 0.0, empty_scores())
        for i, parsed in zip(fold, parser.parse_many([rows[i]["text"] for i in fold]), strict=True):
            score_parsed(pooled, rows[i], parsed)
            score_parsed(per_fold[name].scores, rows[i], parsed)
        log.info("%s: macro strict F1 %.3f", name, per_fold[name].macro_f1("strict"))
    return EvalReport(len(rows), time.perf_counter() - started, pooled), per_fold


def render_report(report: EvalReport, note: str = "") -> Table:
    """Precision, recall and F1 per field under each reading, and the macro F1 of each, as a rich table."""
    note = f", {note}" if note else ""
    table = Table(title=f"résumé parser on {report.documents} résumés ({report.seconds:.0f} s{note})")
    table.add_column("field", justify="left")
    for reading in READINGS:
        for column in ("P", "R", "F1"):
            table.add_column(f"{reading} {column}", justify="right")
    table.add_column("support", justify="right")
    for score in report.scores.values():
        cells = []
        for reading in READINGS:
            counts = score.readings[reading]
            p, f1 = (f"{counts.precision:.3f}", f"{counts.f1:.3f}") if score.with_precision else ("–", "–")
            cells += [p, f"{counts.recall:.3f}", f1]
        table.add_row(score.field, *cells, str(score.readings["rule"].support))
    table.add_row("macro F1", *(c for r in READINGS for c in ("", "", f"{report.macro_f1(r):.3f}")), "")
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", type=Path, nargs="?", default=Path("../shared/data/resumes-dev.jsonl"))
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--cv", default=None, help="K (document folds) or 'halves': nested cross-validation")
    parser.add_argument("--seed", type=int, default=13, help="shuffles the --cv folds and seeds each fold's model")
    args = parser.parse_args(argv)
    console = Console(width=200)
    if args.cv is None:
        console.print(render_report(evaluate_resumes(args.path, args.limit), "shipped model, in-sample"))
        return
    report, per_fold = cross_validate(
        args.path, args.cv if args.cv == "halves" else int(args.cv), args.seed, args.limit
    )
    console.print(render_report(report, f"{args.cv}-fold nested cross-validation" if args.cv != "halves" else "halves"))
    for name, fold in per_fold.items():
        console.print(f"{name} held out: macro strict F1 {fold.macro_f1('strict'):.3f}")


if __name__ == "__main__":
    main()
