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

    python -m evaluation.resumes ../shared/data/resumes-dev.jsonl [--limit N]
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

from workers.encoder import Encoder
from workers.resume_models import ParsedResume
from workers.resume_parser import parse_resume

SKILL_LABELS = ("Tech Tools", "Job Specific Skills", "Soft Skills")
YEAR_RE = re.compile(r"(?:19|20)\d\d")


def normalize(text: str) -> str:
    """Casefold, collapse whitespace, strip punctuation at the edges."""
    return re.sub(r"^[\W_]+|[\W_]+$", "", " ".join(text.casefold().split()))


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


def evaluate_resumes(path: Path, limit: int | None = None, encoder: Encoder | None = None) -> EvalReport:
    """Parse every résumé of the JSONL file (or the first ``limit``) and score each labelled field."""
    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = rows[:limit] if limit is not None else rows
    encoder = encoder or Encoder()
    scores = {name: FieldScore(name, ", ".join(labels)) for name, (labels, _, _) in FIELDS.items()}
    scores |= {label: FieldScore(f"skills: {label}", label, with_precision=False) for label in SKILL_LABELS}
    started = time.perf_counter()
    for row in rows:
        parsed = parse_resume(row["text"], encoder)
        for name, (labels, extract, label_key) in FIELDS.items():
            predicted = extract(parsed)
            gold = {label_key(e["text"]) for e in row["entities"] if e["label"] in labels}
            _count(scores[name], gold, predicted)
            if name == "skills":
                for label in SKILL_LABELS:
                    _count(
                        scores[label], {label_key(e["text"]) for e in row["entities"] if e["label"] == label}, predicted
                    )
    return EvalReport(documents=len(rows), seconds=time.perf_counter() - started, scores=scores)


def _count(score: FieldScore, gold: set[str], predicted: list[set[str]]) -> None:
    keys = set().union(*predicted) if predicted else set()
    distinct = {frozenset(p) for p in predicted}
    score.support += len(gold)
    score.found += len(gold & keys)
    score.predicted += len(distinct)
    score.correct += sum(1 for p in distinct if p & gold)


def render_report(report: EvalReport) -> Table:
    """Precision, recall, F1 and support per field, as a rich table."""
    table = Table(title=f"résumé parser on {report.documents} résumés ({report.seconds:.0f} s)")
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
    args = parser.parse_args(argv)
    Console().print(render_report(evaluate_resumes(args.path, args.limit)))


if __name__ == "__main__":
    main()
