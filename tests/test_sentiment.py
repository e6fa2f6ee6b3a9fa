"""The sentiment model: the bundled network on real HR texts, a Hugging Face directory, and its evaluation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from evaluation.sentiment import evaluate_sentiment
from workers.engine.encoder import Encoder, bundled_model_dir
from workers.sentiment.hf import label_polarities
from workers.sentiment.model import NEUTRAL_BAND, SentimentModel, label_for
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


def test_a_mixed_review_shows_which_sentence_is_negative(model: SentimentModel) -> None:
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
    weights = [s.end - s.start for s in result.sentences]
    mean = np.average([s.positive_probability for s in result.sentences], weights=weights)
    assert result.positive_probability == pytest.approx(mean)


def test_labels_and_scores_follow_the_neutral_band() -> None:
    low, high = NEUTRAL_BAND
    assert label_for(0.9) == ("positive", 0.9)
    assert label_for(0.1) == ("negative", pytest.approx(0.9))
    assert label_for(0.5) == ("neutral", 1.0)
    assert label_for(low)[0] == label_for(high)[0] == "neutral"


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
    expected = logits.softmax(-1)[:, 1].numpy()  # P(POSITIVE)
    assert [s.positive_probability for s in result.sentences] == pytest.approx(expected.tolist(), abs=1e-5)
    for sentence in result.sentences:
        label, score = label_for(sentence.positive_probability)
        assert sentence.label == label and sentence.score == pytest.approx(score)
    assert result.label in {"negative", "neutral", "positive"}


def test_evaluation_beats_vader_on_held_out_rows(model: SentimentModel) -> None:
    report = evaluate_sentiment(SENTIMENT_TSV, heldout_limit=400, baseline_train_rows=2000, model=model)
    scores = {s.system.split()[0]: s for s in report.scores}
    assert report.heldout_rows == 400
    assert scores["talentq"].accuracy > scores["VADER"].accuracy
    assert scores["talentq"].macro_f1 > scores["VADER"].macro_f1


@pytest.mark.parametrize("runtime", ["bf16", "onnx", "onnx-int8"])
def test_other_runtimes_run_the_whole_network_close_to_fp32(runtime: str, model: SentimentModel) -> None:
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
