"""OCR on the generated scan corpus (``bench/scan_corpus.py``): character error rate and seconds per page of each
scanned-looking PDF, and the time of the text-layer sample PDFs, which must not go through OCR.

    nice -n 10 python -m bench.ocr [--limit 6] [--repeat 20]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from bench.scan_corpus import SAMPLES, character_error_rate, corpus
from workers.documents import extract
from workers.readers.ocr import OcrLimits

LIMIT = 10 << 20


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--limit", type=int, default=None, help="scans to read (default: all six)")
    parser.add_argument("--repeat", type=int, default=20, help="passes over the text-layer PDFs")
    parser.add_argument("--threads", type=int, default=None, help="ONNX Runtime threads (default: all cores)")
    args = parser.parse_args()
    limits = OcrLimits(max_pages=10, time_budget_s=1e9, threads=args.threads)
    extract(corpus(1)[0].png(), "warm.png", LIMIT, limits)  # load the engine once, outside the timings
    rates, per_page, cpu_seconds = [], [], []
    for scan in corpus(args.limit):
        start, cpu = time.perf_counter(), time.process_time()
        result = extract(scan.pdf(), f"{scan.name}.pdf", LIMIT, limits)
        seconds = (time.perf_counter() - start) / len(scan.pages)
        cpu_seconds.append((time.process_time() - cpu) / len(scan.pages))
        rate = character_error_rate(scan.text, result.text)
        rates.append(rate)
        per_page.append(seconds)
        confidence = result.ocr_confidence or 0.0
        print(
            f"{scan.name:24} pages {len(scan.pages)}  CER {rate:.3f}  conf {confidence:.3f}"
            f"  {seconds:.1f} s/page, {cpu_seconds[-1]:.1f} CPU s/page"
        )
    print(
        f"OCR: mean CER {statistics.mean(rates):.3f}, median {statistics.median(per_page):.1f} s/page"
        f" ({statistics.median(cpu_seconds):.1f} CPU s/page), load average {os.getloadavg()[0]:.1f}"
    )
    print(f"text-layer PDFs: {text_layer_ms(args.repeat, limits):.1f} ms per document (median of {args.repeat} passes)")


def text_layer_ms(repeat: int, limits: OcrLimits) -> float:
    """Median time to extract each sample PDF that has a text layer, with OCR allowed (it must not run)."""
    pdfs = [(p.name, p.read_bytes()) for p in sorted(Path(SAMPLES).glob("*.pdf"))]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for name, data in pdfs:
            assert extract(data, name, LIMIT, limits).source == "pdf"
        times.append((time.perf_counter() - start) / len(pdfs) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    main()
