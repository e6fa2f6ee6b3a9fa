#!/usr/bin/env bash
# The GPU benchmark in one command (about 5 minutes) on a CUDA machine whose python3 already holds torch,
# transformers, tokenizers, safetensors, onnxruntime and numpy (the device image), run from the repository root:
#
#     bash bench/gpu.sh [RESUMES_JSONL]
#
# The rest of talentq's needs, and the résumés (default .gpu/resumes-dev.jsonl), travel in .gpu/: pack it with
# `bash bench/gpu_wheels.sh` where pip works, and carry it as that script says. Prints the card, then bench.gpu's table (ratios against one-item calls, and the share of the parse's
# wall time spent in model calls); a copy goes to $OUT/gpu-bench.txt when $OUT is set. Paste it into
# docs/benchmarks.md with the card named.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-.gpu/resumes-dev.jsonl}"
[ -f "$data" ] || { echo "no résumés at $data: run bench/gpu_wheels.sh where pip works, and carry .gpu" >&2; exit 2; }
if [ -d .gpu/wheels ]; then
    encoder="/tmp/$(cat .gpu/encoder.name)"
    cat .gpu/encoder.part-* >"$encoder"
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
        .gpu/wheels/*.whl "$encoder"
    export PYTHONPATH="/tmp/site:$PWD"
fi
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TOKENIZERS_PARALLELISM=false TALENTQ_CACHE_DIR=/tmp/talentq-cache
report="${OUT:-/tmp}/gpu-bench.txt"
{
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
    timeout 420 python3 -m bench.gpu --device cuda --data "$data"
} 2>&1 | tee "$report"
