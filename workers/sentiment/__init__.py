"""Sentiment of HR texts: ``model.SentimentModel`` over sentences (``sentences``), scored by the bundled network
(``network``) or any Hugging Face classifier (``hf``)."""
