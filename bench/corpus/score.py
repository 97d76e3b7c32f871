"""Score the linter against the labelled real-code corpus.

The labels (``labels/*.jsonl``, see GUIDE.md) name public repositories and commits; the
code itself is not in this project. Fetch each repository with the search tool's
``fetch`` (it lands in ``/work/.mirror/<owner>+<name>/``), then run:

    python bench/corpus/score.py [--mirror DIR] [--show-misses] [--labels FILE ...]

Each labelled file is read from the mirror at its recorded commit into a temporary folder
with the repository's Python files around it and linted on its own with default settings
(certain findings only), as pre-commit or an editor would check it.
A labelled layer is *bad* when its label is an RDL code; a finding on its line is a hit.
A finding on a line without a bad label is a false positive.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from rnn_dropout_lint import Settings, lint_file  # noqa: E402

BAD = {"RDL001", "RDL002", "RDL003", "RDL004"}


def git_dir(mirror: Path, repo: str) -> Path | None:
    base = mirror / repo.replace("/", "+")
    for candidate in (base / "repo" / ".git", base / "repo", base / ".git", base):
        if (candidate / "objects").is_dir():
            return candidate
    return None


def materialise(mirror: Path, labels: list[dict], root: Path) -> dict[tuple[str, str], Path]:
    """Write every labelled file at its commit under ``root``, with the rest of its repository's
    Python files around it (the linter reads a file's project: its imports and importers) and a
    ``.git`` folder marking the checkout's root; (repo, path) -> file."""
    files: dict[tuple[str, str], Path] = {}
    checked_out: set[tuple[str, str]] = set()
    for label in labels:
        key = (label["repo"], label["path"])
        if key in files:
            continue
        source = git_dir(mirror, label["repo"])
        if source is None:
            continue
        base = root / label["repo"].replace("/", "+")
        if (label["repo"], label["commit"]) not in checked_out:
            checked_out.add((label["repo"], label["commit"]))
            base.mkdir(parents=True, exist_ok=True)
            (base / ".git").mkdir(exist_ok=True)
            _check_out_code(source, label["commit"], base)
        shown = subprocess.run(
            ["git", "--git-dir", str(source), "show", f"{label['commit']}:{label['path']}"],
            capture_output=True,
        )
        if shown.returncode != 0:
            continue
        target = base / label["path"]
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(shown.stdout)
        files[key] = target
    return files


MAX_JSON = 1 << 20  # what the linter reads of a configuration file


def _check_out_code(git: Path, commit: str, base: Path) -> None:
    """Every ``.py`` file of ``commit`` under ``base``, and the JSON files the code may read as
    its configuration (blobs a partial mirror lacks are skipped)."""
    listed = subprocess.run(
        ["git", "--git-dir", str(git), "ls-tree", "-r", "-l", commit], capture_output=True
    )
    blobs = []
    for line in listed.stdout.decode("utf-8", "replace").splitlines():
        meta, _, path = line.partition("\t")
        fields = meta.split()
        if fields[1:2] != ["blob"]:
            continue
        small = fields[3].isdigit() and int(fields[3]) <= MAX_JSON
        if path.endswith(".py") or (path.endswith(".json") and small):
            blobs.append((fields[2], path))
    batch = subprocess.run(
        ["git", "--git-dir", str(git), "cat-file", "--batch"],
        input="".join(f"{sha}\n" for sha, _ in blobs).encode(),
        capture_output=True,
    ).stdout
    at = 0
    for _, path in blobs:
        end = batch.index(b"\n", at)
        header = batch[at:end].split()
        at = end + 1
        if len(header) < 3 or header[1] != b"blob":
            continue  # "<sha> missing"
        size = int(header[2])
        target = base / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(batch[at : at + size])
        at += size + 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--labels", type=Path, nargs="*", default=sorted((HERE / "labels").glob("*.jsonl")))
    parser.add_argument("--show-misses", action="store_true", help="list every miss and false positive")
    args = parser.parse_args(argv)
    labels = [json.loads(line) for path in args.labels for line in path.read_text().splitlines() if line]
    by_file: dict[tuple[str, str], dict[tuple[int | None, int], dict]] = defaultdict(dict)
    for label in labels:
        by_file[(label["repo"], label["path"])][(label["cell"], label["line"])] = label
    with tempfile.TemporaryDirectory() as tmp:
        files = materialise(args.mirror, labels, Path(tmp))
        counts: Counter[str] = Counter()
        groups: dict[str, Counter[str]] = defaultdict(Counter)
        problems: list[str] = []
        for key, rows in sorted(by_file.items()):
            path = files.get(key)
            if path is None:
                counts["files missing from the mirror"] += 1
                continue
            counts["files"] += 1
            result = lint_file(path, Settings())
            if result.error is not None:
                counts["files with errors"] += 1
                problems.append(f"ERROR {key[0]}:{key[1]}: {result.error}")
            found: dict[tuple[int | None, int], set[str]] = defaultdict(set)
            for finding in result.findings:
                found[(finding.cell, finding.row)].add(finding.code)
            for place, label in rows.items():
                if label["label"] == "runtime":
                    continue
                group = "cross-module" if label.get("cross_module") else "single-file"
                bad = label["label"] in BAD
                codes = found.get(place, set())
                hit = bool(codes & BAD)
                outcome = ("tp" if hit else "fn") if bad else ("fp" if hit else "tn")
                counts[outcome] += 1
                groups[group][outcome] += 1
                if bad and hit and label["label"] in codes:
                    counts["code exact"] += 1
                if outcome in ("fn", "fp"):
                    where = f"cell {place[0]} line {place[1]}" if place[0] else f"line {place[1]}"
                    problems.append(
                        f"{outcome.upper()} {key[0]}:{key[1]} {where} [{label['label']}]"
                        f" found={sorted(codes)} -- {label['why']}"
                    )
            for place, codes in found.items():
                if place not in rows and codes & BAD:
                    counts["fp"] += 1
                    counts["fp unlabelled"] += 1
                    problems.append(f"FP {key[0]}:{key[1]} {place} unlabelled line found={sorted(codes)}")
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    repos = len({key[0] for key in files})
    missing = counts["files missing from the mirror"]
    print(f"{counts['files']} files from {repos} repositories ({missing} missing)")
    print(f"bad layers {tp + fn}, ok layers {counts['tn'] + counts['fp'] - counts['fp unlabelled']}")
    print(
        f"precision {tp / (tp + fp) if tp + fp else 1.0:.3f}  recall {tp / (tp + fn) if tp + fn else 1.0:.3f}"
    )
    print(f"  tp {tp}  fp {fp} ({counts['fp unlabelled']} on unlabelled lines)  fn {fn}")
    print(
        f"  code exact on hits: {counts['code exact']}/{tp}; files with errors: {counts['files with errors']}"
    )
    for group, c in sorted(groups.items()):
        g_tp, g_fn, g_fp = c["tp"], c["fn"], c["fp"]
        recall = g_tp / (g_tp + g_fn) if g_tp + g_fn else 1.0
        print(f"  {group}: tp {g_tp} fn {g_fn} fp {g_fp} recall {recall:.3f}")
    if args.show_misses:
        print("\n".join(problems))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
