# One image for every talentq service (workers, beat, flower, webhooks, migrate).
#   CPU (default):  docker build -t talentq:local .
#   GPU:            docker build -t talentq:gpu --build-arg TORCH_INDEX_URL=https://download.pytorch.org/whl/cu128 .
FROM python:3.11-slim

# torch comes first, from PyTorch's own index: the CPU wheel by default (a plain `pip install torch`
# pulls a multi-GB CUDA build). The GPU image passes the CUDA wheel index instead; the version stays
# the one pyproject.toml pins, so the `pip install` below finds it already satisfied.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TOKENIZERS_PARALLELISM=false
RUN pip install --index-url "${TORCH_INDEX_URL}" torch==2.13.0
# OpenCV (under the OCR wheel, rapidocr-onnxruntime) loads libGL and GLib, which the slim image lacks.
RUN apt-get update && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies in their own layer (from pyproject's pins), so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt
COPY . .
RUN pip install --no-deps . \
    && useradd --create-home --uid 10001 talentq
USER talentq
ENV TALENTQ_CACHE_DIR=/home/talentq/.cache/talentq
# The skill taxonomy's embeddings (~5,300 phrases, keyed by encoder version) built into the image, so no
# container computes them in a job; `talentq worker` warms them again at start for another runtime or model.
ARG TALENTQ_RUNTIME=fp32
RUN TALENTQ_RUNTIME="${TALENTQ_RUNTIME}" talentq models warm

# webhooks, flower, worker metrics
EXPOSE 8000 5555 9808
CMD ["talentq", "--help"]
