"""The résumé parser against the span-labelled dev set (``../shared/data/resumes-dev.jsonl``).

Matching rule. Texts are normalised: casefold, whitespace collapsed, punctuation stripped at the edges. Per
résumé and field, the labelled spans and the extracted values are each reduced to their distinct normalised
texts. A labelled text is *found* when an extracted value of the mapped field normalises to it (recall); an
extracted value is *correct* when it normalises to some labelled text of that field (precision). Support is the
number of distinct labelled texts.

Label → talentq field:

- ``Name`` → ``name``; ``Email Address`` → ``emails``; ``Location`` → ``locations`` (every place mentioned: the
  labels mark job and school places too, not only the candidate's);
- ``Tech Tools``, ``Job Specific Skills``, ``Soft Skills`` → ``skills``: an extracted skill matches by its surface
  text or its canonical taxonomy name. The three labels are also shown alone, recall only (a parser skill has no
  label type, so per-label precision is undefined); the ``skills`` row scores them together;
- ``Designation`` → experience titles; ``Companies worked at`` → experience companies;
- ``College Name`` → education institutions; ``Degree`` → education degrees;
- ``Graduation Year`` → education ``graduation_year``: the labels are dates or ranges ("Oct. 2009 - Jan. 2014"),
  so a label matches the year when its last four-digit year equals it;
- ``Years of Experience`` → the date ranges of experience entries (the evidence behind ``years_experience``):
  the labels mark those ranges ("2008 - Present"), not a number of years, so the range texts are compared.

Cross-validation. The skill-candidate scorer (``workers/resume/skill_scorer.py``) is trained on this same set
(``training/skill_scorer.py``), so the plain run scores the shipped scorer on its own training documents and is
optimistic for skills. ``--cv K`` reports what a new résumé can expect instead: the résumés are split into K
document-level folds (shuffled with ``--seed``), and each fold is parsed by the real parser with a scorer, its token
tagger and its name prior trained on the other K−1 (threshold chosen on those too), counts pooled over folds.
``--cv halves`` trains on the odd lines and scores the even ones, and the reverse. The README's skills and
per-label recall rows come from ``--cv 5``.

    python -m evaluation.resumes ../shared/data/resumes-dev.jsonl [--limit N] [--cv K|halves] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.table import Table

from evaluation.labels import SKILL_LABELS, normalize
from workers.engine.encoder import Encoder
from workers.resume.parser import parse_resume
from workers.resume.schema import ParsedResume

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
        lambda p: [{normalize(e.institution.value)} for e in p.education if e.institution],
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
class FieldScore:
    field: str
    labels: str
    support: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0
    with_precision: bool = True

    @property
    def precision(self) -> float | None:
        if not self.with_precision:
            return None
        return self.correct / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.support if self.support else 0.0

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class EvalReport:
    documents: int
    seconds: float
    scores: dict[str, FieldScore] = field(default_factory=dict)


def _rows(path: Path, limit: int | None) -> list[dict]:
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows[:limit] if limit is not None else rows


def _empty_scores() -> dict[str, FieldScore]:
    scores = {name: FieldScore(name, ", ".join(labels)) for name, (labels, _, _) in FIELDS.items()}
    return scores | {label: FieldScore(f"skills: {label}", label, with_precision=False) for label in SKILL_LABELS}


def evaluate_resumes(path: Path, limit: int | None = None, encoder: Encoder | None = None) -> EvalReport:
    """Parse every résumé of the JSONL file (or the first ``limit``) and score each labelled field."""
    rows = _rows(path, limit)
    encoder = encoder or Encoder()
    scores = _empty_scores()
    started = time.perf_counter()
    for row in rows:
        _score_parsed(scores, row, parse_resume(row["text"], encoder))
    return EvalReport(documents=len(rows), seconds=time.perf_counter() - started, scores=scores)


def cross_validate(
    path: Path, folds: int | str = 5, seed: int = 13, limit: int | None = None, encoder: Encoder | None = None
) -> tuple[EvalReport, dict[str, FieldScore]]:
    """The report pooled over held-out folds (see the module docstring), and the skills score of each fold."""
    from training.skill_scorer import document_folds, fit_scorer, labelled_resume  # training builds on this module

    rows = _rows(path, limit)
    encoder = encoder or Encoder()
    started = time.perf_counter()
    resumes = [labelled_resume(row["text"], row["entities"], encoder) for row in rows]
    split = (
        {"even": list(range(0, len(rows), 2)), "odd": list(range(1, len(rows), 2))}
        if folds == "halves"
        else {f"fold {k + 1}": fold for k, fold in enumerate(document_folds(len(rows), int(folds), seed))}
    )
    scores, per_fold = _empty_scores(), {}
    for name, fold in split.items():
        held = set(fold)
        scorer = fit_scorer([r for i, r in enumerate(resumes) if i not in held], seed)
        per_fold[name] = _empty_scores()
        for i in fold:
            parsed = parse_resume(rows[i]["text"], encoder, skill_scorer=scorer)
            _score_parsed(scores, rows[i], parsed)
            _score_parsed(per_fold[name], rows[i], parsed)
    report = EvalReport(documents=len(rows), seconds=time.perf_counter() - started, scores=scores)
    return report, {name: fold_scores["skills"] for name, fold_scores in per_fold.items()}


def _score_parsed(scores: dict[str, FieldScore], row: dict, parsed: ParsedResume) -> None:
    for name, (labels, extract, label_key) in FIELDS.items():
        predicted = extract(parsed)
        gold = {label_key(e["text"]) for e in row["entities"] if e["label"] in labels}
        _count(scores[name], gold, predicted)
        if name == "skills":
            for label in SKILL_LABELS:
                _count(scores[label], {label_key(e["text"]) for e in row["entities"] if e["label"] == label}, predicted)


def _count(score: FieldScore, gold: set[str], predicted: list[set[str]]) -> None:
    keys = set().union(*predicted) if predicted else set()
    distinct = {frozenset(p) for p in predicted}
    score.support += len(gold)
    score.found += len(gold & keys)
    score.predicted += len(distinct)
    score.correct += sum(1 for p in distinct if p & gold)


def render_report(report: EvalReport, note: str = "") -> Table:
    """Precision, recall, F1 and support per field, as a rich table."""
    note = f", {note}" if note else ""
    table = Table(title=f"résumé parser on {report.documents} résumés ({report.seconds:.0f} s{note})")
    for column in ("field", "labels", "precision", "recall", "F1", "support"):
        table.add_column(column, justify="left" if column in ("field", "labels") else "right")
    for score in report.scores.values():
        p, f1 = score.precision, score.f1
        table.add_row(
            score.field,
            score.labels,
            "–" if p is None else f"{p:.3f}",
            f"{score.recall:.3f}",
            "–" if f1 is None else f"{f1:.3f}",
            str(score.support),
        )
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", type=Path, nargs="?", default=Path("../shared/data/resumes-dev.jsonl"))
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--cv", default=None, help="K (document folds) or 'halves': cross-validate the skill scorer")
    parser.add_argument("--seed", type=int, default=13, help="shuffles the --cv folds")
    args = parser.parse_args(argv)
    console = Console()
    if args.cv is None:
        console.print(render_report(evaluate_resumes(args.path, args.limit)))
        return
    report, per_fold = cross_validate(
        args.path, args.cv if args.cv == "halves" else int(args.cv), args.seed, args.limit
    )
    console.print(render_report(report, f"{args.cv}-fold cross-validated" if args.cv != "halves" else "halves"))
    for name, score in per_fold.items():
        console.print(f"skills, {name} held out: P {score.precision:.3f} R {score.recall:.3f} F1 {score.f1:.3f}")


if __name__ == "__main__":
    main()
