"""Run the crash-point tests N times in a row and print, per crash point, what the SMTP sink
counted: emails lost and duplicated over all runs (the table in the issue's closing note).

    TEST_REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python -m tests.worker.fault_table --runs 20
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--tests", default="tests/worker/test_crash_points.py")
    args = parser.parse_args()
    with tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False) as fh:
        report = fh.name
    failed_runs = []
    started = time.monotonic()
    for run in range(1, args.runs + 1):
        t0 = time.monotonic()
        out = subprocess.run(
            [sys.executable, "-m", "pytest", args.tests, "-q", "-p", "no:cacheprovider"],
            cwd=ROOT,
            env={**os.environ, "FAULT_REPORT": report},
            capture_output=True,
            text=True,
        )
        summary = (out.stdout.strip().splitlines() or ["(no output)"])[-1]
        print(f"run {run}: exit {out.returncode} in {time.monotonic() - t0:.0f} s: {summary}", flush=True)
        if out.returncode != 0:
            failed_runs.append(run)
            print(out.stdout[-4000:], flush=True)
    rows: dict[str, dict] = defaultdict(lambda: {"runs": 0, "lost": 0, "duplicated": 0, "max_duplicated": 0})
    for line in Path(report).read_text().splitlines():
        r = json.loads(line)
        row = rows[r["point"]]
        row["runs"] += 1
        row["lost"] += r["lost"]
        row["duplicated"] += r["duplicated"]
        row["max_duplicated"] = max(row["max_duplicated"], r["duplicated"])
    print(f"\n{args.runs} runs in {time.monotonic() - started:.0f} s; failed runs: {failed_runs or 'none'}\n")
    print("| crash point | runs | lost (total) | duplicated (total) | duplicated (max in one run) |")
    print("|---|---|---|---|---|")
    for point, row in rows.items():
        print(f"| {point} | {row['runs']} | {row['lost']} | {row['duplicated']} | {row['max_duplicated']} |")


if __name__ == "__main__":
    main()
