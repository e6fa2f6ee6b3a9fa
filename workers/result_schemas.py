"""JSON Schemas of the JSON columns consumers read, generated from the pydantic models that write them.

Each schema carries the version of the code that shapes its column (``x-talentq-version``): the parser's for
``parsed``, the scorer's for ``explanation``, ``SENTIMENT_DETAIL_VERSION`` for ``detail``. The published copies
live in ``docs/schemas/`` (``python -m workers.result_schemas docs/schemas`` rewrites them) and a test keeps them
equal to these and checks real rows against them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from workers.resume.parser import PARSER_VERSION
from workers.resume.schema import ParsedResume
from workers.scoring import SCORER_VERSION, Explanation
from workers.sentiment.model import SentimentResult

SENTIMENT_DETAIL_VERSION = "sentiment-detail/1"  # bump when SentimentResult's fields change
COLUMNS: dict[str, tuple[type[BaseModel], str]] = {
    "resume_results.parsed": (ParsedResume, PARSER_VERSION),
    "sentiment_results.detail": (SentimentResult, SENTIMENT_DETAIL_VERSION),
    "score_results.explanation": (Explanation, SCORER_VERSION),
}


def schema(column: str) -> dict[str, Any]:
    model, version = COLUMNS[column]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:talentq:schema:{column}",
        "x-talentq-version": version,
        **model.model_json_schema(mode="serialization"),
    }


def write_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for column in COLUMNS:
        path = folder / f"{column}.json"
        path.write_text(json.dumps(schema(column), indent=2, ensure_ascii=False) + "\n")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for written in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/schemas")):
        print(written)
