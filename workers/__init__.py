"""Model code: text extraction, the shared engine and the three HR models. Knows nothing of Celery or SQL.

``engine/`` runs transformer models (the encoder, token-budget batching, the torch and ONNX backends);
``resume/`` parses résumés; ``sentiment/`` labels comments; ``scoring.py`` scores candidates against a
posting; ``documents.py`` turns uploaded files into text (``readers/``: encodings, Word 97, OCR); ``registry.py`` loads
each model once per process.
"""

from pathlib import Path

ASSETS_DIR = Path(__file__).parent / "assets"  # trained weights and the skill taxonomy, shipped as package data
