"""Time `movemap extract` on real reports: reports per second after start-up.

Run: ``python bench/bench_extract.py [--rounds 5]``

The corpus is the 20 reports in tests/data/reports (5 bundled, 15 dev).
Start-up (loading spaCy, the lexicons, the gazetteer and the GeoNames
town list) is timed apart. Then every report is extracted ``--rounds``
times; the baseline in the same run is spaCy's blank English pipeline
alone (tokenizer + sentencizer) on the same texts, the floor any
spaCy-based extractor pays. Caches of date phrases and world look-ups are
warm after the first round, as they are in a batch run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Print start-up time, reports/second and the ratio to the baseline."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    texts = [p.read_text(encoding="utf-8")
             for p in sorted((ROOT / "tests" / "data" / "reports").glob("*/*.txt"))]
    t0 = time.perf_counter()
    from geo.extract import extract_text
    from geo.extract.nlp import build_pipeline

    build_pipeline()
    extract_text("warm-up: flown from Minsk to Benghazi.", published="2024-12-19")
    startup = time.perf_counter() - t0

    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    t = time.perf_counter()
    for _ in range(args.rounds):
        for text in texts:
            list(nlp(text).sents)
    base = time.perf_counter() - t

    n = 0
    t = time.perf_counter()
    for _ in range(args.rounds):
        for text in texts:
            n += len(extract_text(text, published="2024-12-19"))
    run = time.perf_counter() - t
    reports = args.rounds * len(texts)
    chars = sum(map(len, texts)) * args.rounds
    print(f"start-up {startup:.2f} s")
    print(f"extract: {reports} reports ({chars / reports:.0f} chars avg), {n} candidates "
          f"in {run:.2f} s = {reports / run:.1f} reports/s")
    print(f"baseline spaCy blank tokenizer+sentencizer: {reports / base:.1f} reports/s; "
          f"extract costs {run / base:.1f}x the baseline")


if __name__ == "__main__":
    main()
