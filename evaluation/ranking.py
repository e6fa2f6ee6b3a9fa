"""Ranking quality: precision@k of same-category candidates per posting, talentq's score against baselines.

Data (``../shared/data``, see its README): ``resumes-categories.csv`` (113 distinct résumé texts, 25 categories)
is the candidate pool; ``jobs.csv`` (Google postings, 23 categories) gives the postings. The two category sets
differ, so ``CATEGORY_MAP`` below maps each résumé category to the one job category whose postings such a
candidate would be shortlisted for; ``DISTRACTORS`` lists the résumé categories no job category hires, which stay
in the pool as candidates that are never relevant. Only job categories some résumé category maps to are evaluated.

Protocol. Résumé texts are deduplicated, their mojibake repaired (``fix_mojibake``), each parsed once and embedded
once; the vectors are reused for every posting, as the product reuses stored embeddings. Postings are deduplicated
(exact duplicate rows), ``postings_per_category`` of each evaluated category are drawn with ``seed``, and each is
written as a Markdown posting (``posting_text``) whose preferred qualifications stand under a "Nice to have"
heading, so ``extract_requirements`` splits required from nice-to-have skills. For each posting every résumé is
ranked by:

- ``talentq``: ``workers.scoring.score`` (the product's 0–100 score);
- ``semantic``: cosine of résumé and posting embeddings alone;
- ``skills``: share of the posting's required skills the résumé has, alone;
- ``random``: a random order.

precision@k is the share of the top k whose mapped category equals the posting's. Ties are broken at random and the
*expected* precision is reported (``precision_at_k``), so coarse rankers (skill coverage, often 0 for everyone)
are not flattered or punished by an arbitrary order, and ``random`` is exactly the base rate (relevant / pool).
``ideal`` is the best any ranking can do: min(k, relevant) / k. Means are over postings, per category and overall.

    python -m evaluation.ranking [--resumes CSV] [--jobs CSV] [--postings-per-category 10] [--k 10] [--seed 13]
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from config.settings import get_settings
from workers import registry, scoring
from workers.engine.encoder import Encoder

DEFAULT_RESUMES = Path("../shared/data/resumes-categories.csv")
DEFAULT_JOBS = Path("../shared/data/jobs.csv")
METHODS = ("talentq", "semantic", "skills", "random")

# Résumé category → job category of jobs.csv. Judgement calls, from the postings' titles in each job category:
# - developers and testers → Software Engineering (software engineers, test engineers, app developers);
#   SAP Developer and Blockchain are developer roles too;
# - DevOps and database administration → Technical Infrastructure (SRE, systems administration, DevOps);
# - data roles (Data Science, Hadoop, ETL) → IT & Data Management, the only data-named category;
# - Network Security Engineer → Network Engineering (corporate network engineering and operations);
# - Mechanical and Electrical Engineering → Hardware Engineering (hardware, IC, product design, supplier
#   development engineers); Manufacturing & Supply Chain is mostly sourcing managers, so nothing maps there;
# - Arts and Web Designing → User Experience & Design (visual, interaction and UX designers).
CATEGORY_MAP: dict[str, str] = {
    "Java Developer": "Software Engineering",
    "Python Developer": "Software Engineering",
    "DotNet Developer": "Software Engineering",
    "SAP Developer": "Software Engineering",
    "Blockchain": "Software Engineering",
    "Testing": "Software Engineering",
    "Automation Testing": "Software Engineering",
    "DevOps Engineer": "Technical Infrastructure",
    "Database": "Technical Infrastructure",
    "Data Science": "IT & Data Management",
    "Hadoop": "IT & Data Management",
    "ETL Developer": "IT & Data Management",
    "Network Security Engineer": "Network Engineering",
    "Mechanical Engineer": "Hardware Engineering",
    "Electrical Engineering": "Hardware Engineering",
    "HR": "People Operations",
    "Sales": "Sales & Account Management",
    "Business Analyst": "Business Strategy",
    "PMO": "Program Management",
    "Operations Manager": "Program Management",
    "Advocate": "Legal & Government Relations",
    "Arts": "User Experience & Design",
    "Web Designing": "User Experience & Design",
}
# Résumé categories with no counterpart: Google hires no fitness trainers, and its Real Estate & Workplace
# Services postings are facilities, security and catering management, not civil (construction) engineering.
DISTRACTORS: frozenset[str] = frozenset({"Health and fitness", "Civil Engineer"})


@dataclass(frozen=True)
class Candidate:
    category: str  # the résumé's own category
    job_category: str | None  # CATEGORY_MAP[category], None for a distractor
    parsed: dict[str, Any]  # ParsedResume as JSON, what scoring reads
    vector: np.ndarray


@dataclass(frozen=True)
class Posting:
    category: str
    title: str
    text: str


@dataclass
class CategoryResult:
    category: str
    postings: int
    relevant: int  # résumés in the pool that map to this category
    precision: dict[str, float]  # method → mean precision@k over the category's postings
    ideal: float


@dataclass
class RankingReport:
    k: int
    seed: int
    scorer_version: str
    resumes: int
    distractor_resumes: int
    postings: int
    seconds: float
    categories: list[CategoryResult]
    overall: dict[str, float]  # method → mean precision@k over all postings
    ideal: float


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as Latin-1 ("â\\x80¢" → "•"); texts that don't round-trip are kept as they are."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def load_resumes(path: Path) -> list[tuple[str, str]]:
    """Distinct (category, repaired text) pairs, in file order (the file repeats texts with the same category)."""
    with Path(path).open(encoding="utf-8", newline="") as f:
        seen: dict[str, str] = {}
        for row in csv.DictReader(f):
            seen.setdefault(row["Resume"], row["Category"])
    return [(category, fix_mojibake(text)) for text, category in seen.items()]


def load_postings(path: Path) -> list[Posting]:
    """Postings without exact duplicate rows, in file order, as Markdown texts (``posting_text``)."""
    with Path(path).open(encoding="utf-8", newline="") as f:
        rows = list(dict.fromkeys(tuple(row.items()) for row in csv.DictReader(f)))
    return [Posting(category=r["Category"], title=r["Title"], text=posting_text(r)) for r in map(dict, rows)]


def posting_text(row: dict[str, str]) -> str:
    """Title, responsibilities, minimum qualifications, and the preferred ones under a "Nice to have" heading."""
    parts = [f"# {row['Title'].strip()}"]
    for heading, column in (
        ("Responsibilities", "Responsibilities"),
        ("Minimum qualifications", "Minimum Qualifications"),
        ("Nice to have", "Preferred Qualifications"),
    ):
        lines = [line.strip() for line in row[column].splitlines() if line.strip()]
        if lines:
            parts.append(f"## {heading}\n\n" + "\n".join(f"- {line}" for line in lines))
    return "\n\n".join(parts) + "\n"


def precision_at_k(scores: np.ndarray, relevant: np.ndarray, k: int) -> float:
    """Expected share of relevant items in the top ``k`` when tied scores are ordered at random."""
    k = min(k, len(scores))
    kth = np.sort(scores)[::-1][k - 1]
    above, tied = scores > kth, scores == kth
    hits = relevant[above].sum() + (k - above.sum()) * relevant[tied].sum() / tied.sum()
    return float(hits / k)


def _rankers(
    candidates: list[Candidate], requirements: scoring.Requirements, posting_vector: np.ndarray
) -> dict[str, Callable[[], np.ndarray]]:
    def talentq() -> np.ndarray:
        return np.array([scoring.score(c.parsed, c.vector, requirements, posting_vector).score for c in candidates])

    def semantic() -> np.ndarray:
        return np.stack([c.vector for c in candidates]) @ posting_vector

    def skills() -> np.ndarray:
        required = {s.casefold() for s in requirements.required_skills}
        if not required:
            return np.zeros(len(candidates))
        have = [{s.casefold() for s in scoring.resume_skill_names(c.parsed)} for c in candidates]
        return np.array([len(required & h) / len(required) for h in have])

    return {
        "talentq": talentq,
        "semantic": semantic,
        "skills": skills,
        "random": lambda: np.zeros(len(candidates)),  # all tied: expected precision = base rate
    }


def evaluate_ranking(
    resumes_csv: Path,
    jobs_csv: Path,
    postings_per_category: int = 10,
    k: int = 10,
    seed: int = 13,
    encoder: Encoder | None = None,
) -> RankingReport:
    """Rank every distinct résumé for a sample of postings per evaluated job category; precision@k per method."""
    encoder = encoder or registry.encoder(get_settings())
    started = time.perf_counter()
    resumes = load_resumes(resumes_csv)
    unknown = {category for category, _ in resumes} - CATEGORY_MAP.keys() - DISTRACTORS
    if unknown:
        raise ValueError(f"résumé categories neither mapped nor distractors: {sorted(unknown)}")
    vectors = encoder.embed([text for _, text in resumes])
    parsed = registry.resume_parser(get_settings()).parse_many([text for _, text in resumes])
    candidates = [
        Candidate(category, CATEGORY_MAP.get(category), resume.model_dump(mode="json"), vector)
        for (category, _), resume, vector in zip(resumes, parsed, vectors, strict=True)
    ]
    by_category: dict[str, list[Posting]] = defaultdict(list)
    for posting in load_postings(jobs_csv):
        by_category[posting.category].append(posting)
    rng = random.Random(seed)
    evaluated = sorted(set(CATEGORY_MAP.values()) & by_category.keys())
    sample = [
        posting
        for category in evaluated
        for posting in rng.sample(by_category[category], min(postings_per_category, len(by_category[category])))
    ]
    posting_vectors = encoder.embed([p.text for p in sample])
    per_posting: dict[str, list[dict[str, float]]] = defaultdict(list)
    for posting, posting_vector in zip(sample, posting_vectors, strict=True):
        requirements = scoring.extract_requirements(posting.text, encoder)
        relevant = np.array([c.job_category == posting.category for c in candidates])
        rankers = _rankers(candidates, requirements, posting_vector)
        per_posting[posting.category].append({m: precision_at_k(rankers[m](), relevant, k) for m in METHODS})
    categories = []
    for category in evaluated:
        relevant = sum(c.job_category == category for c in candidates)
        rows = per_posting[category]
        categories.append(
            CategoryResult(
                category=category,
                postings=len(rows),
                relevant=relevant,
                precision={m: float(np.mean([r[m] for r in rows])) for m in METHODS},
                ideal=min(k, relevant) / k,
            )
        )
    all_rows = [row for rows in per_posting.values() for row in rows]
    return RankingReport(
        k=k,
        seed=seed,
        scorer_version=scoring.SCORER_VERSION,
        resumes=len(candidates),
        distractor_resumes=sum(c.job_category is None for c in candidates),
        postings=len(all_rows),
        seconds=time.perf_counter() - started,
        categories=categories,
        overall={m: float(np.mean([r[m] for r in all_rows])) for m in METHODS},
        ideal=float(np.mean([min(k, c.relevant) / k for c in categories for _ in range(c.postings)])),
    )


def render_report(report: RankingReport) -> Table:
    """Mean precision@k per job category and overall, one column per method, the best method in bold."""
    table = Table(
        title=(
            f"precision@{report.k} of same-category résumés: {report.postings} postings × {report.resumes} résumés "
            f"({report.distractor_resumes} distractors), {report.scorer_version}, seed {report.seed}, "
            f"{report.seconds:.0f} s"
        )
    )
    table.add_column("job category")
    for column in ("postings", "relevant", *METHODS, "ideal"):
        table.add_column(column, justify="right")

    def cells(precision: dict[str, float]) -> list[str]:
        best = max(precision.values())
        return [f"[bold]{v:.3f}[/bold]" if v == best else f"{v:.3f}" for v in (precision[m] for m in METHODS)]

    for c in report.categories:
        table.add_row(c.category, str(c.postings), str(c.relevant), *cells(c.precision), f"{c.ideal:.3f}")
    table.add_section()
    table.add_row("all postings", str(report.postings), "", *cells(report.overall), f"{report.ideal:.3f}")
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--resumes", type=Path, default=DEFAULT_RESUMES, help="CSV with Category,Resume")
    parser.add_argument("--jobs", type=Path, default=DEFAULT_JOBS, help="CSV of postings (jobs.csv columns)")
    parser.add_argument("--postings-per-category", type=int, default=10)
    parser.add_argument("--k", type=int, default=10)
    parser.add_argument("--seed", type=int, default=13, help="seed of the posting sample")
    args = parser.parse_args(argv)
    report = evaluate_ranking(args.resumes, args.jobs, args.postings_per_category, args.k, args.seed)
    console = Console()
    console.width = max(console.width, 110)  # one line per category, also when piped
    console.print(render_report(report))


if __name__ == "__main__":
    main()
