"""The résumé entity model: windows that lose no token, training that learns, the shipped model on generated
résumés (with their lines and flattened), batching across résumés, other runtimes and TALENTQ_RESUME_MODEL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import AutoModelForTokenClassification, AutoTokenizer

from config.settings import Settings
from training.resume_entities import gold_tags, labelled_windows, train, with_repeats
from workers import registry
from workers.engine.encoder import Encoder, bundled_model_dir
from workers.engine.one_thread import one_thread
from workers.resume.entities import (
    MIN_PASS_WINDOWS,
    TAGS,
    WINDOW_TOKENS,
    EntityHead,
    EntityNet,
    HubEntityModel,
    ResumeEntityModel,
    head_logits,
    load_entity_model,
    save_entity_model,
    tokenize,
    windows,
)
from workers.resume.parser import ResumeParser, parser_version
from workers.resume.skill_tagger import SkillTagger

TODAY = date(2024, 6, 1)
JOBS = [
    ("Senior Data Engineer", "Stripe", "San Francisco, CA", "Jan 2019", "Present"),
    ("Software Engineer", "Acme Corporation", "Austin, TX", "Jun 2015", "Dec 2018"),
    ("Junior Developer", "Initech", "Dallas, TX", "Jul 2013", "May 2015"),
]


def resume_with_lines() -> str:
    """A résumé as a word processor lays it out: title line, "Company – City" line, dates line."""
    lines = ["Priya Raman", "Senior Data Engineer", "priya.raman@example.com | (415) 555-0134", "", "EXPERIENCE"]
    for title, company, city, start, end in JOBS:
        lines += [title, f"{company} – {city}", f"{start} – {end}", "Built data pipelines in Python and SQL.", ""]
    lines += ["EDUCATION", "Bachelor of Science in Computer Science", "University of Texas at Austin, 2013", ""]
    lines += ["SKILLS", "Python, SQL, Apache Spark, Airflow, Kubernetes"]
    return "\n".join(lines)


def flattened(text: str) -> str:
    """The same page as the labelled set has its résumés: line breaks lost, runs of spaces left."""
    return "   ".join(line for line in text.splitlines() if line)


@pytest.fixture(scope="module")
def parser() -> ResumeParser:
    return registry.resume_parser(Settings())


def entries(parsed) -> list[tuple]:
    return [
        (job.title and job.title.value, job.company and job.company.value, job.start, job.end)
        for job in parsed.experience
    ]


@pytest.mark.parametrize("length", [0, 1, 200, 254, 255, 400, 2000])
def test_windows_own_every_token_once(length: int) -> None:
    spans = windows(length)
    owned = [i for _, _, a, b in spans for i in range(a, b)]
    assert owned == list(range(length))
    assert all(start <= a and b <= end and end - start <= 254 for start, end, a, b in spans)


def test_shipped_model_reads_lines_and_flattened_pages_alike(parser: ResumeParser) -> None:
    text = resume_with_lines()
    with_lines, flat = parser.parse_many([text, flattened(text)], today=TODAY)
    assert entries(with_lines) == entries(flat)
    found = {(title, company) for title, company, _, _ in entries(with_lines)}
    assert {(title, company) for title, company, *_ in JOBS} <= found
    starts = {job.start for job in with_lines.experience if job.start}
    assert {"2019-01", "2015-06", "2013-07"} <= starts
    assert with_lines.current_title and with_lines.current_title.value == "Senior Data Engineer"
    assert with_lines.name and with_lines.name.value == "Priya Raman"
    assert text[with_lines.name.start : with_lines.name.end] == "Priya Raman"
    (school,) = with_lines.education  # education and skills: the rules (README)
    assert school.institution and school.institution.value == "University of Texas at Austin"
    skills = {s.name: s for s in with_lines.skills}
    assert {"Python", "SQL", "Kubernetes"} <= skills.keys()
    assert all(text[s.start : s.end] == s.text for s in with_lines.skills)
    assert all(job.title.confidence < 1 for job in with_lines.experience if job.title)


def test_a_dated_job_under_another_heading_is_a_job_and_a_wished_for_title_is_not(parser: ResumeParser) -> None:
    """A job list run on past a skills heading still gives its jobs; the title the candidate hopes for does not."""
    lines = ["Priya Raman", "priya.raman@example.com", "", "OBJECTIVE", "Looking for a Staff Engineer position.", ""]
    lines += ["EXPERIENCE", "Senior Data Engineer, Stripe – San Francisco, CA", "Jan 2019 – Present", ""]
    lines += ["SKILLS", "Python, SQL, Apache Spark, Airflow", "Software Engineer, Acme Corporation – Austin, TX"]
    lines += ["Jun 2015 – Dec 2018", "Wrote billing services.", ""]
    text = "\n".join(lines)
    parsed = parser.parse(text, today=TODAY)
    assert [s.kind for s in parsed.sections] == ["header", "summary", "experience", "skills"]
    assert entries(parsed) == [
        ("Senior Data Engineer", "Stripe", "2019-01", None),
        ("Software Engineer", "Acme Corporation", "2015-06", "2018-12"),
    ]


def test_a_long_resume_is_read_to_its_end(parser: ResumeParser) -> None:
    filler = "Maintained reporting dashboards and reviewed the weekly figures with the finance team. " * 120
    text = resume_with_lines().replace("EDUCATION", filler + "\n\nEDUCATION")
    tokens = len(parser.encoder.tokenizer(text, add_special_tokens=False)["input_ids"])
    assert tokens > 3 * 254  # several windows
    parsed = parser.parse(text, today=TODAY)
    assert parsed.education and parsed.education[-1].institution  # past the filler, near the end
    assert parsed.skills and max(s.end for s in parsed.skills) > len(text) - 60  # the last line is tagged


def test_a_model_trained_on_a_few_resumes_learns_to_tag_them(tmp_path: Path) -> None:
    encoder = Encoder(device="cpu")
    rows = []
    for k, (title, company, city, start, end) in enumerate(JOBS):
        text = f"Candidate {k}\n{title}\n{company} – {city}\n{start} – {end}\nSkills: Python, SQL"
        spans = [("Designation", title), ("Companies worked at", company), ("Location", city), ("Tech Tools", "SQL")]
        entities = [{"label": label, "start": text.index(v), "end": text.index(v) + len(v)} for label, v in spans]
        rows.append({"text": text, "entities": entities})
    trained = train(labelled_windows(rows, encoder), encoder, seed=13, epochs=25)
    assert trained.losses[-1] < trained.losses[0] / 4
    model = ResumeEntityModel(encoder, trained=(trained.net, trained.head))
    tagged = model.tag([row["text"] for row in rows])
    for row, entities in zip(rows, tagged, strict=True):
        found = {(e.label, e.text) for e in entities}
        gold = {(e["label"], row["text"][e["start"] : e["end"]]) for e in row["entities"]}
        label_of = {"Designation": "TITLE", "Companies worked at": "COMPANY", "Location": "LOCATION"}
        assert {(label_of[label], text) for label, text in gold if label in label_of} <= found


def test_a_saved_model_runs_only_its_layers(tmp_path: Path) -> None:
    """The encoder's first layers (shared) and the trained ones above them; the encoder's layers higher up are not
    run, and the file says how many of each, so it loads as it was trained."""
    encoder = Encoder(device="cpu")
    net = EntityNet(encoder.model, trained_layers=1, lower_layers=2)
    assert len(net.body.encoder.layer) == 3 and net.body.encoder.layer[0] is encoder.model.encoder.layer[0]
    path = tmp_path / "entities.safetensors"
    save_entity_model(path, net, EntityHead(encoder.info.dim), encoder.info.name)
    loaded, _ = load_entity_model(path, encoder.model, encoder.info.name)
    assert (loaded.lower_layers, len(loaded.top)) == (2, 1)
    ids = torch.tensor([encoder.tokenizer("Data Engineer at Stripe")["input_ids"]])
    with torch.inference_mode():
        expected = net.eval()(ids, torch.ones_like(ids))
        assert torch.allclose(loaded(ids, torch.ones_like(ids)), expected, atol=1e-2)  # fp16 on disk
    with pytest.raises(ValueError, match="the encoder has 6"):
        EntityNet(encoder.model, trained_layers=2, lower_layers=5)


def test_training_tags_every_mention_of_a_labelled_span() -> None:
    """Annotators marked a company once; its second mention is trained as a company too, but a year is not
    repeated into date ranges and no word is tagged inside another word."""
    text = "Analyst, Initech, 2019\nAt Initech I led reporting for Initechnology. Graduated 2019."
    labelled = [
        {"label": "Companies worked at", "start": 9, "end": 16},
        {"label": "Graduation Year", "start": text.rindex("2019"), "end": text.rindex("2019") + 4},
    ]
    spans = with_repeats(text, labelled)
    assert [text[e["start"] : e["end"]] for e in spans] == ["Initech", "2019", "Initech"]
    assert spans[2]["start"] == text.index("At Initech") + 3
    tokens = tokenize(Encoder(device="cpu").tokenizer, text)
    tags = [TAGS[t] for t in gold_tags(tokens, spans)]
    begins = [int(tokens.starts[i]) for i, tag in enumerate(tags) if tag == "B-COMPANY"]
    assert begins == [9, spans[2]["start"]]
    inside = [i for i, tag in enumerate(tags) if tag.endswith("COMPANY")]
    assert all(tokens.ends[i] <= 16 or spans[2]["start"] <= tokens.starts[i] < spans[2]["end"] for i in inside)


class RecordingBackend:
    """The real backend, with the rows of each forward pass it ran written down."""

    def __init__(self, backend) -> None:
        self.backend, self.rows = backend, []

    def __call__(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        self.rows.append(len(input_ids))
        return self.backend(input_ids, attention_mask)


def test_windows_of_many_resumes_share_forward_passes(parser: ResumeParser) -> None:
    model = ResumeEntityModel(parser.encoder)
    model.backend = RecordingBackend(model.backend)
    texts = [f"Candidate {k}\nAnalyst\nGlobex {k}\n2019 – 2021" for k in range(6)]
    model.tag(texts)
    assert model.backend.rows == [6]  # six short résumés, one window each, one forward pass


def test_full_windows_go_eight_a_pass_under_the_cpu_token_budget(parser: ResumeParser) -> None:
    model = ResumeEntityModel(parser.encoder)
    model.backend = RecordingBackend(model.backend)
    assert parser.encoder.batch_tokens < MIN_PASS_WINDOWS * WINDOW_TOKENS  # 512 on the CPU: two windows
    text = " ".join(f"Analyst at Globex {k}, 2019 – 2021." for k in range(60))  # three full windows and more
    each = len(windows(len(tokenize(parser.encoder.tokenizer, text))))
    model.tag([text] * 3)
    assert sum(model.backend.rows) == 3 * each > MIN_PASS_WINDOWS
    assert model.backend.rows[0] == MIN_PASS_WINDOWS


def test_the_head_reads_windows_of_any_lengths_together_as_it_reads_each_alone() -> None:
    torch.manual_seed(0)
    head = EntityHead(16).eval()
    rng = np.random.default_rng(0)
    lengths = [7, 3, 7, 1]
    states = [rng.standard_normal((n, 16)).astype(np.float32) for n in lengths]
    shapes = [rng.random((n, head.project.in_features - 16)).astype(np.float32) for n in lengths]
    together = head_logits(head, states, shapes)
    for rows, window_states, window_shapes in zip(together, states, shapes, strict=True):
        (alone,) = head_logits(head, [window_states], [window_shapes])
        assert rows.shape == (len(window_states), len(TAGS))
        np.testing.assert_allclose(rows, alone, atol=1e-5)  # padding never reaches the backward LSTM


def test_the_recurrent_nets_step_on_one_thread_and_give_the_threads_back() -> None:
    """An LSTM's steps are too small to share: a second thread only adds a wake-up per step (one_thread.py)."""
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        head, tagger, seen = EntityHead(16).eval(), SkillTagger.load(), []
        for lstm in (head.lstm, tagger.net.lstm):
            lstm.register_forward_pre_hook(lambda *_: seen.append(torch.get_num_threads()))
        head_logits(head, [np.zeros((3, 16), np.float32)], [np.zeros((3, head.project.in_features - 16), np.float32)])
        tagger.probabilities("Python, SQL and Kubernetes")
        assert seen == [1, 1]
        assert torch.get_num_threads() == 2
        with pytest.raises(RuntimeError), one_thread():
            raise RuntimeError("a failed forward pass")
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_onnx_int8_tags_like_fp32(parser: ResumeParser) -> None:
    int8 = ResumeEntityModel(Encoder(device="cpu", runtime="onnx-int8"))
    text = resume_with_lines()
    fp32 = {(e.label, e.text) for e in parser.entity_model.tag([text])[0]}
    quantized = {(e.label, e.text) for e in int8.tag([text])[0]}
    assert len(fp32 & quantized) >= 0.8 * len(fp32)


def token_classifier(directory: Path, tags: tuple[str, ...]) -> Path:
    """A Hugging Face token-classification model on the bundled encoder, saved as a user would point at it."""
    model = AutoModelForTokenClassification.from_pretrained(
        bundled_model_dir(),
        num_labels=len(tags),
        id2label=dict(enumerate(tags)),
        label2id={t: i for i, t in enumerate(tags)},
    )
    model.save_pretrained(directory)
    AutoTokenizer.from_pretrained(bundled_model_dir()).save_pretrained(directory)
    return directory


def test_another_token_classifier_through_talentq_resume_model(tmp_path: Path) -> None:
    source = token_classifier(tmp_path / "ner", tuple(reversed(TAGS)))  # same tags, another order
    settings = Settings(resume_model=str(source))
    parsed = registry.resume_parser(settings)
    assert isinstance(parsed.entity_model, HubEntityModel)
    assert parser_version(str(source)).endswith(f"+{source}")
    result = parsed.parse(resume_with_lines(), today=TODAY)
    assert result.emails[0].value == "priya.raman@example.com"  # rules still run; the untrained head tags noise
    with pytest.raises(ValueError, match="not talentq's résumé tags"):
        HubEntityModel(str(token_classifier(tmp_path / "other", ("O", "B-PER", "I-PER"))))


def test_a_handler_call_parses_its_resumes_in_shared_forward_passes(parser: ResumeParser, database_url: str) -> None:
    from db import repository
    from db.models import ResumeResult
    from db.session import session_scope
    from tasks import handlers
    from tasks.contract import ParseResumePayload

    ids = []
    with session_scope(database_url) as session:
        for k in range(4):
            content = f"Candidate {k}\nAnalyst\nGlobex {k}\n2019 – 2021\nSkills: SQL".encode()
            candidate = repository.add_candidate(session, f"shared-pass-{k}")
            doc = repository.add_document(session, candidate.id, "cv.txt", content, repository.sha256(content), 60)
            ids.append(doc.id)
    real = parser.entity_model.backend
    parser.entity_model.backend = recording = RecordingBackend(real)
    try:
        outcomes = handlers.parse_resumes([ParseResumePayload(document_id=i) for i in ids])
    finally:
        parser.entity_model.backend = real
    assert [o["status"] for o in outcomes] == ["done"] * 4
    assert recording.rows == [4]  # one window each, all four in one forward pass
    with session_scope(database_url) as session:
        rows = session.query(ResumeResult).filter(ResumeResult.document_id.in_(ids)).all()
        assert len(rows) == 4 and all(row.canonical_skills == ["SQL"] for row in rows)


def test_training_a_missing_file_is_one_clear_line(tmp_path: Path) -> None:
    from tests.support import talentq

    out = talentq("train", "resume-ner", "--data", str(tmp_path / "nope.jsonl"), ok=False)
    assert out.strip().splitlines() == [
        f"error: no labelled résumés at {tmp_path / 'nope.jsonl'} (JSONL with text and entities)"
    ]
