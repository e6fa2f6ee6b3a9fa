"""`talentq train sentiment` end to end on a small slice of SST-2: adapters trained, theme map fitted, an asset
the runtime loads and reads with one pass."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from training.sentiment import Hyperparameters, train_sentiment
from workers.engine.encoder import Encoder
from workers.sentiment.network import BundledSentiment

SENTIMENT_TSV = Path(__file__).resolve().parents[2] / "shared" / "data" / "sentiment-train.tsv"


def test_a_short_run_writes_an_asset_with_a_fitted_theme_map(encoder: Encoder, tmp_path: Path) -> None:
    data = tmp_path / "small.tsv"
    data.write_text("".join(SENTIMENT_TSV.read_text(encoding="utf-8").splitlines(keepends=True)[:1501]))
    hp = Hyperparameters(max_train_rows=64, batch_size=16, eval_every=2, theme_map_rows=1000)
    metrics = train_sentiment(data, tmp_path, seed=3, hp=hp)

    assert {"heldout_accuracy", "heldout_full_sentence_accuracy", "temperature"} <= metrics.keys()
    # The fitted map brings the adapted network's pooled state to the encoder's embedding space.
    assert float(metrics["theme_cosine_to_encoder"]) > 0.8  # type: ignore[arg-type]
    bundled = BundledSentiment(encoder, tmp_path / "sentiment_lora.safetensors")
    texts = ["My salary is far below what other companies pay.", "The pension plan is generous."]
    p, vectors = bundled.read(texts)
    assert ((p > 0) & (p < 1)).all()
    assert np.mean(np.sum(vectors * encoder.embed(texts), axis=1)) > 0.8
