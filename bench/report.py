"""Benchmark `rnnlab report` on synthetic batches and print a table (a script, not a test).

    .venv/bin/python bench/report.py [--sizes 10 200 2000]

For each size: a synthetic batch is written to disk as `rnnlab grade` would (not timed), then
the report is built as the command builds it, timed in its parts: reading the results, the
item analysis, and the HTML page (plots included). Writing the page is part of the total.
"""
import argparse
import tempfile
import time
from pathlib import Path

from machine import describe
from rnnlab_grader.reports import analysis, gradebook, html_report




def build(out_dir):
    """Seconds to read, analyse and render OUT_DIR, and to write the page; and the page's size."""
    times = {}
    started = time.perf_counter()
    results = analysis.load_results(out_dir)
    times["read"] = time.perf_counter() - started
    found = analysis.item_analysis(results)
    times["analysis"] = time.perf_counter() - started - times["read"]
    page = html_report.render(found)
    times["html"] = time.perf_counter() - started - times["read"] - times["analysis"]
    gradebook.write_atomically(Path(out_dir) / "report.html", page)
    times["total"] = time.perf_counter() - started
    return times, len(page.encode())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 200, 2000])
    args = parser.parse_args()
    html_report.render(analysis.item_analysis(analysis.synthetic_results(2)))  # imports and font cache, once
    rows = []
    with tempfile.TemporaryDirectory(prefix="rnnlab-bench-report-") as work:
        for size in args.sizes:
            out = Path(work) / str(size)
            started = time.perf_counter()
            analysis.write_synthetic(out, size, seed=0)
            written = time.perf_counter() - started
            times, page_bytes = build(out)
            rows.append((size, written, times, page_bytes))
    print(f"machine: {describe(('numpy', 'matplotlib', 'rich'))}")
    print(f"{'submissions':>11} {'read':>7} {'analysis':>9} {'html':>7} {'total':>7} {'page KiB':>9}"
          f"   (synthetic batch written in, not counted)")
    for size, written, times, page_bytes in rows:
        print(f"{size:>11} {times['read']:>7.2f} {times['analysis']:>9.2f} {times['html']:>7.2f} "
              f"{times['total']:>7.2f} {page_bytes / 1024:>9.0f}   ({written:.1f} s)")


if __name__ == "__main__":
    main()
