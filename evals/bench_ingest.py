"""Ingest benchmark: `python -m evals.bench_ingest [--corpus corpus] [--sample 200]`.

Ingests the corpus into a fresh temporary data dir with the configured (real) embedder and
reports wall time per stage, pages/s, chunks/s, peak memory, the share of everything that is
not embedding, the raw embedder throughput on a sample of the same texts, and the time of a
second run over the unchanged corpus."""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from ingest.catalog import Catalog
from ingest.embed import get_embedder
from ingest.pipeline import ingest_paths
from ingest.settings import Settings


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(corpus: Path, sample: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="lotse-bench-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        embedder = get_embedder(settings)
        start = time.perf_counter()
        report = ingest_paths([corpus], settings, embedder=embedder)
        total = time.perf_counter() - start
        timings = dict(report.timings)
        pages = sum(o.pages for o in report.outcomes)
        chunks = sum(o.chunks for o in report.outcomes)
        catalog = Catalog(settings.catalog_path)
        sentences = catalog.sentences()
        texts = [sc.chunk.embed_text for sc in catalog.chunks()] + [s.text for s in sentences]
        catalog.close()
        step = max(1, len(texts) // sample)
        probe = sorted(texts[::step][:sample], key=len)
        raw_start = time.perf_counter()
        for i in range(0, len(probe), settings.embed_batch_size):
            embedder.embed_documents_array(probe[i : i + settings.embed_batch_size])
        raw_rate = len(probe) / (time.perf_counter() - raw_start)
        rerun_start = time.perf_counter()
        rerun = ingest_paths([corpus], settings, embedder=embedder)
        rerun_time = time.perf_counter() - rerun_start
        embed = timings.get("embed", 0.0)
        return {
            "embedder": embedder.name,
            "files": len(report.outcomes),
            "pages": pages,
            "chunks": chunks,
            "sentences": len(sentences),
            "texts_embedded": len(texts),
            "total_s": round(total, 1),
            "stages_s": {k: round(v, 2) for k, v in timings.items()},
            "non_embedding_share": round((total - embed) / total, 3),
            "pages_per_s": round(pages / total, 2),
            "chunks_per_s": round(chunks / total, 2),
            "pipeline_texts_per_s": round(len(texts) / embed, 2) if embed else None,
            "raw_embedder_texts_per_s": round(raw_rate, 2),
            "rerun_unchanged_s": round(rerun_time, 2),
            "rerun_statuses": sorted({o.status for o in rerun.outcomes}),
            "peak_rss_mb": round(peak_rss_mb(), 1),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Settings().corpus_dir)
    parser.add_argument("--sample", type=int, default=200)
    args = parser.parse_args()
    print(json.dumps(run(args.corpus, args.sample), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
