"""The sentiment model: the bundled network on real HR texts, a Hugging Face directory, and its evaluation."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

from evaluation.sentiment import evaluate_sentiment
from workers.engine.encoder import Encoder, bundled_model_dir
from workers.sentiment import lora
from workers.sentiment.hf import label_polarities
from workers.sentiment.model import NEUTRAL_BAND, SentimentModel, label_for
from workers.sentiment.network import BundledSentiment
from workers.sentiment.sentences import split_sentences

SENTIMENT_TSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "sentiment-train.tsv"


@pytest.fixture(scope="module")
def model(encoder: Encoder) -> SentimentModel:
    return SentimentModel(encoder)


def test_clear_hr_texts_get_the_right_label(model: SentimentModel) -> None:
    positive = [
        "I love working with this team. My manager is supportive and the culture is fantastic.",
        "The onboarding was excellent and everyone made me feel welcome.",
    ]
    negative = [
        "Management is toxic and I dread coming to work every day.",
        "The pay is terrible, promotions are unfair and nobody listens to our concerns.",
    ]
    results = model.analyze(positive + negative)
    assert [r.label for r in results] == ["positive"] * 2 + ["negative"] * 2
    assert all(r.score > 0.8 for r in results)


def test_a_mixed_review_is_mixed_and_shows_both_parts(model: SentimentModel) -> None:
    review = (
        "The office is beautiful and my colleagues are wonderful. "
        "However, my manager is rude and constantly belittles people in meetings."
    )
    [result] = model.analyze([review])
    assert [review[s.start : s.end] for s in result.sentences] == [
        "The office is beautiful and my colleagues are wonderful.",
        "However, my manager is rude and constantly belittles people in meetings.",
    ]
    assert [s.label for s in result.sentences] == ["positive", "negative"]
    assert result.label == "mixed"
    assert result.mixed is not None and (result.mixed.positive, result.mixed.negative) == ([0], [1])
    weights = [s.end - s.start for s in result.sentences]
    mean = np.average([s.positive_probability for s in result.sentences], weights=weights)
    assert result.positive_probability == pytest.approx(mean)
    assert result.score == pytest.approx(max(mean, 1 - mean))


def test_labels_and_scores_follow_the_neutral_band() -> None:
    low, high = NEUTRAL_BAND
    assert label_for(0.9) == ("positive", 0.9)
    assert label_for(0.1) == ("negative", pytest.approx(0.9))
    assert label_for(0.5) == ("neutral", 0.5)
    assert label_for(0.47) == ("neutral", pytest.approx(0.53))  # the neutral row: no longer 0.94
    assert label_for(low)[0] == label_for(high)[0] == "neutral"


def test_the_misreads_of_hr_text_now_read_as_meant(model: SentimentModel) -> None:
    """The sample comments the issue found misread: negated complaints, a calm note, a factual note, a stray
    token, an id; and ``score`` is ``max(p, 1 − p)`` for every label."""
    texts = {
        "no complaints": "I have no complaints about the company.",
        "nothing to criticise": "Nothing to criticise.",
        "renewal": "Handled a difficult customer escalation calmly and professionally; "
        "the client renewed for two more years.",
        "budget": "Training budget: used about half of it this year, mostly on an Excel course.",
        "x": "x",
        "id": "EMP-20431",
    }
    results = dict(zip(texts, model.analyze(list(texts.values())), strict=True))
    assert results["no complaints"].label == results["nothing to criticise"].label == "positive"
    assert results["renewal"].label != "negative"
    for key in ("budget", "x", "id"):
        assert results[key].label == "neutral", key
        assert results[key].score <= NEUTRAL_BAND[1], key  # low confidence, by design
    for result in results.values():
        p = result.positive_probability
        assert result.score == pytest.approx(max(p, 1 - p))


def test_themes_are_found_on_hand_written_hr_comments(model: SentimentModel) -> None:
    comments = {
        "pay": "My salary is far below what other companies pay for the same job.",
        "manager": "My line manager gives me useful feedback every week.",
        "workload": "We are constantly asked to work overtime to hit impossible deadlines.",
        "career growth": "There is no clear path to promotion here.",
        "benefits": "The health insurance and pension plan are excellent.",
        "work-life balance": "Being able to work from home two days a week helps a lot.",
    }
    results = model.analyze(list(comments.values()))
    for theme, result in zip(comments, results, strict=True):
        assert theme in result.sentences[0].themes, (theme, result.sentences[0].themes)
        [entry] = [t for t in result.themes if t.theme == theme]
        assert entry.sentences == [0] and entry.label == result.sentences[0].label
    assert results[0].sentences[0].themes[0] == "pay"


def test_theme_vectors_come_from_the_sentiment_pass(encoder: Encoder) -> None:
    """One forward pass of the bundled network gives each sentence its P(positive) and a unit theme vector; the
    fitted theme map keeps those vectors close to the encoder's own embeddings (what the theme file's threshold
    was set on), and far closer than the network's unmapped pooled state."""
    texts = [
        "My salary is far below what other companies pay for the same job.",
        "I love working with this team.",
        "The health insurance and pension plan are excellent.",
        "Relocating to Canada with my family.",
    ]
    bundled = BundledSentiment(encoder)
    p, vectors = bundled.read(texts)
    assert p.shape == (4,) and vectors.shape == (4, encoder.info.dim)
    assert np.linalg.norm(vectors, axis=1) == pytest.approx(np.ones(4), abs=1e-4)
    expected = encoder.embed(texts)
    assert np.mean(np.sum(vectors * expected, axis=1)) > 0.8
    assert bundled.theme_vectors(texts) == pytest.approx(vectors, abs=1e-5)


def test_per_theme_sentiment_follows_its_own_sentences(model: SentimentModel) -> None:
    text = "The pension plan and health cover are generous. My manager takes credit for my work and ignores me."
    [result] = model.analyze([text])
    themes = {t.theme: t for t in result.themes}
    assert themes["benefits"].label == "positive" and themes["manager"].label == "negative"
    assert result.label == "mixed"


def test_themes_come_from_a_configurable_file(encoder: Encoder, model: SentimentModel, tmp_path: Path) -> None:
    themes = tmp_path / "themes.yaml"
    themes.write_text("threshold: 0.3\nthemes:\n  parking:\n    - parking spaces and the car park\n")
    custom = SentimentModel(encoder, themes_file=themes)
    [result] = custom.analyze(["There are never enough parking spaces in the morning."])
    assert [t.theme for t in result.themes] == ["parking"]
    assert custom.version != model.version  # results are versioned by the theme file
    themes.write_text("themes: {}\n")  # themes off: none tagged
    [result] = SentimentModel(encoder, themes_file=themes).analyze(["My salary is unfair."])
    assert result.themes == [] and result.sentences[0].themes == []
    themes.write_text("themes: [pay]\n")
    with pytest.raises(ValueError, match="expected a `themes:` mapping"):
        SentimentModel(encoder, themes_file=themes)


def test_lora_adapters_merge_into_the_same_function() -> None:
    """The shipped adapters, merged into plain layers, compute what the wrapped layers computed in training."""
    torch.manual_seed(0)
    base = AutoModel.from_pretrained(bundled_model_dir()).eval()
    wrapped = copy.deepcopy(base.encoder.layer)
    lora.wrap(wrapped, rank=4, alpha=8.0)
    for name, parameter in wrapped.named_parameters():
        if name.endswith(".b"):
            torch.nn.init.normal_(parameter, std=0.02)
    merged = copy.deepcopy(base.encoder.layer)
    lora.merge(merged, {k: v.detach().half() for k, v in lora.adapters(wrapped).items()}, rank=4, alpha=8.0)
    hidden = torch.randn(2, 7, base.config.hidden_size)
    with torch.inference_mode():
        for a, b in zip(wrapped, merged, strict=True):
            expected, got = (out[0] if isinstance(out, tuple) else out for out in (a(hidden), b(hidden)))
            assert torch.allclose(expected, got, atol=2e-3)
            hidden = expected


def test_blank_text_raises_and_no_texts_give_no_results(model: SentimentModel) -> None:
    with pytest.raises(ValueError, match="text 1 is empty or whitespace"):
        model.analyze(["Great team.", " \n\t"])
    assert model.analyze([]) == []


def test_sentences_keep_offsets_and_skip_abbreviations_and_bullets() -> None:
    text = 'Dr. Smith said "well done." Then he left!\n- bullet one\n2) item two'
    assert [text[a:b] for a, b in split_sentences(text)] == [
        'Dr. Smith said "well done."',
        "Then he left!",
        "bullet one",
        "item two",
    ]
    long = "word " * 300
    assert all(b - a <= 400 for a, b in split_sentences(long, max_chars=400))


def test_label_schemes_map_onto_polarity() -> None:
    assert label_polarities({0: "NEGATIVE", 1: "POSITIVE"}).tolist() == [0.0, 1.0]
    assert label_polarities({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}).tolist() == [0.0, 0.5, 1.0]
    assert label_polarities({0: "negative", 1: "neutral", 2: "positive"}).tolist() == [0.0, 0.5, 1.0]
    assert label_polarities({i: f"{i + 1} star{'s' if i else ''}" for i in range(5)}).tolist() == [
        0.0,
        0.25,
        0.5,
        0.75,
        1.0,
    ]
    with pytest.raises(ValueError, match="cannot map"):
        label_polarities({0: "sports", 1: "politics"})


def test_a_hugging_face_directory_is_used_and_its_labels_mapped(encoder: Encoder, tmp_path: Path) -> None:
    # An untrained head on the bundled encoder: predictions are random, so check structure and mapping only.
    torch.manual_seed(0)
    classifier = AutoModelForSequenceClassification.from_pretrained(
        bundled_model_dir(),
        num_labels=2,
        id2label={0: "NEGATIVE", 1: "POSITIVE"},
        label2id={"NEGATIVE": 0, "POSITIVE": 1},
    ).eval()
    classifier.save_pretrained(tmp_path)
    tokenizer = AutoTokenizer.from_pretrained(bundled_model_dir())
    tokenizer.save_pretrained(tmp_path)

    hf_model = SentimentModel(encoder, model_dir=str(tmp_path))
    text = "The interview went well. The recruiter never called back."
    [result] = hf_model.analyze([text])

    assert hf_model.version.startswith(f"hf:{tmp_path.name}@")
    assert len(result.sentences) == 2
    with torch.inference_mode():
        logits = classifier(
            **tokenizer([text[s.start : s.end] for s in result.sentences], return_tensors="pt", padding=True)
        ).logits
    expected = logits.softmax(-1)[:, 1].numpy()  # P(POSITIVE), pulled towards 0.5 where no opinion is voiced
    expected = [p if s.opinion else 0.5 + (p - 0.5) / 4 for p, s in zip(expected, result.sentences, strict=True)]
    assert [s.positive_probability for s in result.sentences] == pytest.approx(expected, abs=1e-5)
    for sentence in result.sentences:
        label, score = label_for(sentence.positive_probability)
        assert sentence.label == label and sentence.score == pytest.approx(score)
    assert result.label in {"negative", "neutral", "positive", "mixed"}


def test_evaluation_beats_vader_on_held_out_rows(model: SentimentModel) -> None:
    report = evaluate_sentiment(SENTIMENT_TSV, heldout_limit=400, baseline_train_rows=2000, model=model)
    scores = {s.system.split()[0]: s for s in report.scores}
    assert report.heldout_rows == 400
    assert scores["talentq"].accuracy > scores["VADER"].accuracy
    assert scores["talentq"].macro_f1 > scores["VADER"].macro_f1


THEME_MARGIN = 0.03  # cosine: how close to a cut a theme's fp32 similarity must be for int8 to move it across


def _themes_differ_only_at_a_cut(
    model: SentimentModel, encoder: Encoder, sentence: str, expected: list[str], got: list[str]
) -> bool:
    """Whether every theme ``got`` and ``expected`` disagree on has, under fp32, a similarity within
    ``THEME_MARGIN`` of the threshold or of the weakest theme the sentence kept."""
    tagger = model.themes
    vector = BundledSentiment(encoder).theme_vectors([sentence])[0]
    similarity: dict[str, float] = {}
    for name, value in zip(tagger.themes.names, tagger._vectors @ vector, strict=True):
        similarity[name] = max(similarity.get(name, -1.0), float(value))  # a theme's closest description
    cuts = [tagger.themes.threshold, *(similarity[name] for name in expected[-1:])]
    return all(any(abs(similarity[name] - cut) < THEME_MARGIN for cut in cuts) for name in set(expected) ^ set(got))


@pytest.mark.parametrize("runtime", ["bf16", "onnx", "onnx-int8"])
def test_other_runtimes_run_the_whole_network_close_to_fp32(
    runtime: str, model: SentimentModel, encoder: Encoder
) -> None:
    """Under the ONNX runtimes the bundled network (encoder layers, trained top, head) runs in ONNX
    Runtime, and no torch model is loaded; under ``bf16`` it runs in torch under bfloat16 autocast.
    Results are versioned by runtime, and the probabilities stay close to fp32 (exact for ``onnx``;
    int8 weights and bfloat16 move them a little)."""
    encoder = Encoder(device="cpu", runtime=runtime)
    other = SentimentModel(encoder)
    texts = [
        "I love working with this team. My manager is supportive and the culture is fantastic.",
        "Management is toxic and I dread coming to work every day.",
        "The pay is terrible, promotions are unfair and nobody listens to our concerns.",
        "The onboarding was excellent and everyone made me feel welcome.",
    ]
    expected = [r.positive_probability for r in model.analyze(texts)]
    got = [r.positive_probability for r in other.analyze(texts)]

    if runtime == "bf16":
        assert encoder.autocast_dtype == torch.bfloat16
    else:
        assert encoder._model is None, "the ONNX runtimes must not load the torch model"
    assert other.version.endswith(f"@{runtime}") and other.version != model.version
    assert got == pytest.approx(expected, abs=1e-4 if runtime == "onnx" else 0.05)
    assert [r.label for r in other.analyze(texts)] == [r.label for r in model.analyze(texts)]
    # The theme vectors come out of the same graph: the same themes under every runtime, but for a theme that sits
    # on a cut (the threshold, or the last of a sentence's themes), which int8 weights may move across it.
    for mine, theirs, text in zip(model.analyze(texts), other.analyze(texts), texts, strict=True):
        for a, b in zip(mine.sentences, theirs.sentences, strict=True):
            assert _themes_differ_only_at_a_cut(model, encoder, text[a.start : a.end], a.themes, b.themes)
