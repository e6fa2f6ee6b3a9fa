"""Send signed sample events to a running webhook receiver, for trying it by hand.

    TALENTQ_WEBHOOK_SECRET=... python scripts/send_sample_events.py --url http://127.0.0.1:8000

Sends an ``application.submitted`` (a résumé from samples/resumes, with its posting inline) and a
``comment.submitted`` (the first row of samples/comments.csv), each twice with --repeat to show that
a retried delivery gets the same job ids and enqueues nothing. ``--provider greenhouse`` sends the
Greenhouse-shaped equivalent of the application, signed with TALENTQ_GREENHOUSE_SECRET.
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import os
import sys
import uuid
import zlib
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from producers.signing import generic_headers, greenhouse_headers  # noqa: E402

SAMPLES = ROOT / "samples"


def resume_file(path: Path) -> dict[str, str]:
    return {"filename": path.name, "content_base64": base64.b64encode(path.read_bytes()).decode()}


def posting(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.strip()).lstrip("#").strip()
    return {"id": path.stem, "title": title, "text": text}


def generic_events(resume: Path, posting_path: Path) -> list[dict]:
    with (SAMPLES / "comments.csv").open(newline="", encoding="utf-8") as handle:
        comment = next(csv.DictReader(handle))
    run = uuid.uuid4().hex[:8]
    return [
        {
            "event_id": f"sample-{run}-application",
            "type": "application.submitted",
            "data": {"candidate_id": resume.stem, "posting": posting(posting_path), "resume": resume_file(resume)},
        },
        {
            "event_id": f"sample-{run}-comment",
            "type": "comment.submitted",
            "data": {"comment": {"id": comment["id"], "source": comment["source"], "text": comment["text"]}},
        },
    ]


def greenhouse_events(resume: Path, posting_path: Path) -> list[dict]:
    job = posting(posting_path)
    attachment = {"filename": resume.name, "type": "resume", **resume_file(resume)}
    application = {
        "id": uuid.uuid4().int % 10**9,
        "candidate": {"id": zlib.crc32(resume.stem.encode()), "attachments": [attachment]},
        "jobs": [{"id": zlib.crc32(job["id"].encode()), "name": job["title"], "content": job["text"]}],
    }
    return [{"action": "new_candidate_application", "payload": {"application": application}}]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="base URL of the receiver")
    parser.add_argument("--provider", choices=["generic", "greenhouse"], default="generic")
    parser.add_argument("--secret", help="HMAC secret (default: TALENTQ_WEBHOOK_SECRET / TALENTQ_GREENHOUSE_SECRET)")
    parser.add_argument("--resume", type=Path, default=SAMPLES / "resumes" / "03-priya-raman.txt")
    parser.add_argument("--posting", type=Path, default=SAMPLES / "postings" / "backend-python-engineer.md")
    parser.add_argument("--repeat", action="store_true", help="send every event twice (a retried delivery)")
    args = parser.parse_args()
    env_name = "TALENTQ_WEBHOOK_SECRET" if args.provider == "generic" else "TALENTQ_GREENHOUSE_SECRET"
    secret = args.secret or os.environ.get(env_name)
    if not secret:
        parser.error(f"give --secret or set {env_name}")
    build, sign = (
        (generic_events, generic_headers) if args.provider == "generic" else (greenhouse_events, greenhouse_headers)
    )
    url = f"{args.url.rstrip('/')}/webhooks/{args.provider}"
    failed = False
    with httpx.Client(timeout=30) as client:
        for event in build(args.resume, args.posting):
            body = json.dumps(event).encode()
            for _ in range(2 if args.repeat else 1):
                headers = {"Content-Type": "application/json", **sign(secret, body)}
                response = client.post(url, content=body, headers=headers)
                print(response.status_code, response.text)
                failed |= response.is_error
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
