"""Experience entries from the layout alone, for résumés in languages the entity model was not trained on.

The entity model learned titles and companies from English résumés; in a Spanish or Dutch one it often tags
neither, or takes "Softwareentwicklerin" for a company, and dated jobs were dropped or garbled. Almost every
résumé writes a job as a "Title, Company, Place" line with the dates on it or on the line below, so that line
gives the entry: its first part the title, its second the company. Entries from this rule carry confidence
``RULE_CONFIDENCE``, below the model's typical spans. English résumés keep the model's entries unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from workers.resume.dates import DateRange
from workers.resume.schema import Evidence, Experience
from workers.resume.sections import Segment

RULE_CONFIDENCE = 0.5
PART_RE = re.compile(r"[^,|–—]+")  # parts of a job line: split on commas, pipes and dashes
MAX_LINE_WORDS = 16  # longer lines are sentences, not job lines


MODEL_LANGUAGES = ("en", "unknown")


def experience_for_language(
    language: str, text: str, segs: Sequence[Segment], ranges: Sequence[DateRange], model_jobs: list[Experience]
) -> list[Experience]:
    """The model's jobs for English; otherwise the layout's, plus the model's dated jobs for dates the layout
    could not place, in reading order."""
    if language in MODEL_LANGUAGES:
        return model_jobs
    jobs = dated_line_entries(text, segs, ranges, set())
    placed = {job.dates.start for job in jobs if job.dates}
    jobs += [job for job in model_jobs if job.dates and job.dates.start not in placed]
    return sorted(jobs, key=lambda job: job.dates.start if job.dates else 0)


def dated_line_entries(
    text: str, segs: Sequence[Segment], ranges: Sequence[DateRange], taken: set[int]
) -> list[Experience]:
    """An entry for each range whose start is not in ``taken`` (the starts of the jobs already found): the
    text before the dates on their own line, else the line above, read as "title, company"."""
    entries = []
    for rng in ranges:
        if rng.span[0] in taken:
            continue
        line = _job_line(segs, rng)
        if line is None:
            continue
        parts = [m for m in PART_RE.finditer(text, line[0], line[1]) if m.group().strip()]
        title, company = (_evidence(text, m) for m in [*parts, None, None][:2])
        if title is None:
            continue
        entries.append(
            Experience(
                title=title,
                company=company,
                start=rng.start.strftime("%Y-%m"),
                end=rng.end.strftime("%Y-%m") if rng.end else None,
                current=rng.current,
                dates=Evidence(value=text[rng.span[0] : rng.span[1]], start=rng.span[0], end=rng.span[1]),
            )
        )
    return entries


def _job_line(segs: Sequence[Segment], rng: DateRange) -> tuple[int, int] | None:
    """(start, end) of the text naming the job of ``rng``: before the dates on their segment, else the segment
    above; None when that is empty or reads as a sentence."""
    index = next((i for i, seg in enumerate(segs) if seg.start <= rng.span[0] < seg.end), None)
    if index is None:
        return None
    seg = segs[index]
    before = seg.text[: rng.span[0] - seg.start].strip(" ,|–—-:")
    if before:
        line = Segment(seg.start, seg.start + len(before), before)
    elif index > 0:
        line = segs[index - 1]
    else:
        return None
    return (line.start, line.end) if len(line.text.split()) <= MAX_LINE_WORDS else None


def _evidence(text: str, match: re.Match[str] | None) -> Evidence | None:
    if match is None:
        return None
    start = match.start() + len(match.group()) - len(match.group().lstrip())
    end = match.end() - len(match.group()) + len(match.group().rstrip())
    return Evidence(value=text[start:end], start=start, end=end, confidence=RULE_CONFIDENCE)
