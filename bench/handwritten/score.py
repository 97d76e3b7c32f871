"""Score the static linter against the hand-written cases and their labels.

    python bench/handwritten/score.py [--show-misses]

Runs ``rnn-dropout-lint check --isolated --output-format json`` on ``cases/`` and matches
findings to ``labels.jsonl`` by (file, line). A finding with any RDL001-RDL004 code on a
line labelled ``bad`` is a hit (a different code is listed separately); a finding on a line
labelled ``ok`` or without a label is a false positive.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
CODES = {"RDL001", "RDL002", "RDL003", "RDL004"}


def linter() -> str:
    beside = Path(sys.executable).parent / "rnn-dropout-lint"
    found = str(beside) if beside.exists() else shutil.which("rnn-dropout-lint")
    if found is None:
        sys.exit("rnn-dropout-lint not found next to this Python or on PATH")
    return found


def findings() -> dict[tuple[str, int], set[str]]:
    cmd = [linter(), "check", "--isolated", "--exit-zero", "--output-format", "json", str(CASES)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    found: dict[tuple[str, int], set[str]] = {}
    for item in json.loads(done.stdout):
        if item["code"] in CODES:
            key = (Path(item["filename"]).name, item["location"]["row"])
            found.setdefault(key, set()).add(item["code"])
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show-misses", action="store_true", help="list every miss and false positive")
    args = parser.parse_args(argv)
    labels = {
        (row["file"], row["line"]): row
        for row in map(json.loads, (HERE / "labels.jsonl").read_text().splitlines())
    }
    found = findings()
    bad = {key: row for key, row in labels.items() if row["label"] == "bad"}
    hits = [key for key in bad if key in found]
    misses = [key for key in bad if key not in found]
    false_pos = [key for key in found if key not in bad]
    wrong_code = [key for key in hits if bad[key]["code"] not in found[key]]
    precision = len(hits) / (len(hits) + len(false_pos)) if hits or false_pos else 1.0
    recall = len(hits) / len(bad) if bad else 1.0
    files = len(list(CASES.glob("*.py")))
    print(f"{files} files, {len(labels)} dropout layers ({len(bad)} bad, {len(labels) - len(bad)} ok)")
    print(f"hits {len(hits)}, misses {len(misses)}, false positives {len(false_pos)}")
    print(f"precision {precision:.3f}  recall {recall:.3f}  code mismatches {len(wrong_code)}")
    for file, line in sorted(false_pos):
        row = labels.get((file, line))
        if row is None or args.show_misses:
            why = f"labelled ok: {row['why']}" if row else "no label on this line"
            print(f"FP   {file}:{line} {','.join(sorted(found[(file, line)]))} ({why})")
    for file, line in sorted(wrong_code):
        row = bad[(file, line)]
        print(f"CODE {file}:{line} expected {row['code']}, got {','.join(sorted(found[(file, line)]))}")
    if args.show_misses:
        for file, line in sorted(misses):
            print(f"FN   {file}:{line} {bad[(file, line)]['code']}: {bad[(file, line)]['why']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
