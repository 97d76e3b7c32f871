"""The performance benchmark: ``python bench/run.py`` (``--quick`` for a smaller run).

Builds its corpora (the running interpreter's standard library; generated Keras
model files and notebooks, seeded), runs every comparison of issue 6 side by side
with flake8 and Fixit installed from PyPI, repeats each measurement, and prints
medians, ratios and pass/fail per target. Numbers live here, never in the tests.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate

BIN = Path(sys.executable).parent
RDL = str(BIN / "rnn-dropout-lint")
FLAKE8 = str(BIN / "flake8")
FIXIT = str(BIN / "fixit")
FIXIT_CONFIG = (
    '[tool.fixit]\nroot = true\ndisable = ["fixit.rules"]\nenable = ["fixit.rules:NoRedundantFString"]\n'
)
PARSE_SCRIPT = """
import sys, libcst
from multiprocessing import Pool
def parse(path):
    libcst.parse_module(open(path, 'rb').read())
if __name__ == '__main__':
    files = open(sys.argv[1]).read().split()
    with Pool(int(sys.argv[2])) as pool:
        pool.map(parse, files, chunksize=16)
"""
# The least any libcst-based flake8 plugin costs: it parses each file and reports nothing.
PARSE_ONLY_PLUGIN = """
import libcst


class Plugin:
    name = "parse-only"
    version = "0"

    def __init__(self, tree, lines):
        self.lines = lines

    def run(self):
        libcst.parse_module("".join(self.lines))
        return iter(())
"""
PARSE_ONLY_PROJECT = """
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "parse-only-plugin"
version = "0"
dependencies = ["libcst=={libcst}"]

[project.entry-points."flake8.extension"]
PXX = "parse_only_plugin:Plugin"

[tool.setuptools]
py-modules = ["parse_only_plugin"]
"""
PEAK_SCRIPT = """
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""
PREFILTER_SCRIPT = """
import sys
from multiprocessing import Pool
from pathlib import Path
from rnn_dropout_lint.engine import LintError, Settings, lint_notebook, lint_source
from rnn_dropout_lint.rules import RULES, Selection
every = Selection(select=tuple(RULES))
fast, full = Settings(every, report_uncertain=True), Settings(every, report_uncertain=True, prefilter=False)

def results(path):
    raw = path.read_bytes()
    out = []
    for settings in (fast, full):
        try:
            if path.suffix == ".ipynb":
                found = lint_notebook(raw.decode("utf-8"), str(path), settings)
            else:
                found = lint_source(raw, str(path), settings)
            out.append([(f.code, f.cell, f.row, f.col, f.message) for f in found])
        except (LintError, UnicodeDecodeError, RecursionError):
            out.append("error")
    return out

def differs(path):
    quick, whole = results(path)
    return quick != whole if quick != [] else whole not in ([], "error")

if __name__ == "__main__":
    paths = [
        path
        for root in sys.argv[2:]
        for path in sorted(Path(root).rglob("*"))
        if path.suffix in (".py", ".ipynb") and "site-packages" not in path.parts
    ]
    # Sorted and in chunks: neighbouring files import the same modules (the parse cache).
    with Pool(int(sys.argv[1])) as pool:
        differ = sum(pool.imap(differs, paths, chunksize=16))
    print(len(paths), differ)
"""


def _once(cmd: list[str], cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def timed(cmd: list[str], repeat: int, cwd: Path | None = None) -> float:
    return statistics.median(_once(cmd, cwd) for _ in range(repeat))


def timed_group(cmds: list[list[str]], repeat: int, cwd: Path | None = None) -> list[float]:
    """Medians of commands run in rotation, each repetition in a new order, so that the
    machine's drift (a shared VM here varies by a third within minutes) hits all alike."""
    samples: list[list[float]] = [[] for _ in cmds]
    for index in range(repeat):
        order = list(range(len(cmds)))
        order = order[index % len(cmds) :] + order[: index % len(cmds)]
        for i in order if index % 2 == 0 else reversed(order):
            samples[i].append(_once(cmds[i], cwd))
    return [statistics.median(s) for s in samples]


def peak_mb(cmd: list[str]) -> float:
    out = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT, *cmd], capture_output=True, text=True, check=True
    )
    return int(out.stdout.strip()) / 1024


def stdlib_copy(work: Path) -> Path:
    target = work / "stdlib"
    if not target.exists():
        source = Path(sysconfig.get_paths()["stdlib"])
        shutil.copytree(
            source, target, ignore=shutil.ignore_patterns("site-packages", "__pycache__", "*.pyc")
        )
    return target


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str, str]] = []
        self.failed = 0

    def add(self, name: str, ours: str, reference: str, ratio: float | None, limit: str, ok: bool) -> None:
        self.failed += not ok
        shown = f"{ratio:.2f}" if ratio is not None else ""
        self.rows.append((name, ours, reference, f"{shown} {limit}".strip(), "pass" if ok else "FAIL"))
        print(f"  {name}: {ours} vs {reference} -> {shown} ({limit}) {'pass' if ok else 'FAIL'}", flush=True)

    def markdown(self) -> str:
        lines = ["| Target | Ours | Reference | Ratio (limit) | Result |", "| --- | --- | --- | --- | --- |"]
        lines += [f"| {' | '.join(row)} |" for row in self.rows]
        return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller corpora, 5 repeats still")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--workdir", type=Path, default=None, help="keep the corpora here (default: a temp dir)"
    )
    args = parser.parse_args()
    for tool in (RDL, FLAKE8, FIXIT):
        if not Path(tool).exists():
            print(f"missing {tool}: pip install flake8 fixit and this project in the same environment")
            return 2
    work = args.workdir or Path(tempfile.mkdtemp(prefix="rdl-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    dense_n, small_n, large_n, notebooks = (300, 200, 2000, 30) if args.quick else (2000, 1000, 10000, 200)
    repeat, jobs = args.repeat, str(args.jobs)
    print(f"corpora in {work}", flush=True)
    stdlib = stdlib_copy(work)
    dense = work / "dense"
    if not dense.exists():
        generate.write_corpus(dense, dense_n, seed=1)
        (dense / "pyproject.toml").write_text(FIXIT_CONFIG)
    dense_nb = work / "dense_notebooks"
    if not dense_nb.exists():
        generate.write_corpus(dense_nb, 0, seed=2, notebooks=notebooks)
    small, large = work / f"scale_{small_n}", work / f"scale_{large_n}"
    for folder, count in ((small, small_n), (large, large_n)):
        if not folder.exists():
            generate.write_corpus(folder, count, seed=3)
    project = work / f"project_{dense_n}"
    if not project.exists():
        generate.write_project(project, dense_n, seed=5)
    long_file = work / "long_model.py"
    if not long_file.exists():
        generate.write_long_file(long_file, 20_000, seed=4)
    tiny = work / "tiny.py"
    tiny.write_text(
        "from keras import layers\n"
        "x = layers.LSTM(4)(layers.Dropout(0.1)(layers.LSTM(4, return_sequences=True)(y)))\n"
    )
    # pip compiles a package's bytecode when it installs it; an editable install run with
    # PYTHONDONTWRITEBYTECODE (as on the machine that ran the table below) never would, and
    # would recompile every module at each start.
    compileall.compile_dir(Path(__file__).resolve().parent.parent / "rnn_dropout_lint", quiet=1)
    py_files = len(list(stdlib.rglob("*.py")))
    table = Table()

    print("start-up", flush=True)
    libcst_import, version, one = timed_group(
        [
            [sys.executable, "-c", "import libcst"],
            [RDL, "--version"],
            [RDL, "check", "--isolated", str(tiny)],
        ],
        repeat,
    )
    table.add(
        "`--version`",
        f"{version:.3f} s",
        f"import libcst {libcst_import:.3f} s",
        version / libcst_import,
        "info",
        True,
    )
    table.add(
        "check one small file",
        f"{one:.3f} s",
        f"import libcst {libcst_import:.3f} s",
        one / libcst_import,
        "<= 1.5",
        one / libcst_import <= 1.5,
    )

    print(f"nothing to find: standard library, {py_files} files", flush=True)
    ours, pyflakes = timed_group(
        [
            [RDL, "check", "--isolated", "-j", jobs, str(stdlib)],
            [FLAKE8, "--isolated", "--select", "F", "-j", jobs, str(stdlib)],
        ],
        repeat,
    )
    table.add(
        f"check stdlib ({py_files} files)",
        f"{ours:.2f} s",
        f"flake8 --select F {pyflakes:.2f} s",
        ours / pyflakes,
        "<= 0.25",
        ours / pyflakes <= 0.25,
    )
    out = subprocess.run(
        [sys.executable, "-c", PREFILTER_SCRIPT, jobs, str(stdlib), str(dense), str(dense_nb)],
        capture_output=True,
        text=True,
    )
    row = "prefilter == full path"
    if out.returncode != 0:  # an analysis raised: this row fails, and the traceback is shown
        print(out.stderr, file=sys.stderr)
        last = (out.stderr.strip().splitlines() or ["no output"])[-1]
        table.add(row, "raised", last, None, "0 differ", False)
    else:
        files, differ = (int(v) for v in out.stdout.split())
        table.add(row, f"{files} files", f"{differ} differ", None, "0 differ", differ == 0)

    print(f"dense corpus: {dense_n} model files", flush=True)
    # fixit reads its configuration from the working directory.
    ours, pyflakes, ours_one, fixit = timed_group(
        [
            [RDL, "check", "--isolated", "-j", jobs, str(dense)],
            [FLAKE8, "--isolated", "--select", "F", "-j", jobs, str(dense)],
            [RDL, "check", "--isolated", "-j", "1", str(dense)],
            [FIXIT, "lint", str(dense)],
        ],
        repeat,
        cwd=dense,
    )
    table.add(
        f"check dense ({dense_n} files)",
        f"{ours:.2f} s",
        f"flake8 --select F {pyflakes:.2f} s",
        ours / pyflakes,
        "<= 1.0",
        ours <= pyflakes,
    )
    table.add(
        f"check dense ({dense_n} files)",
        f"{ours:.2f} s",
        f"fixit lint {fixit:.2f} s",
        ours / fixit,
        "<= 0.33",
        ours * 3 <= fixit,
    )
    table.add(
        "2 jobs vs 1 job (dense)",
        f"{ours:.2f} s",
        f"{ours_one:.2f} s",
        ours / ours_one,
        "<= 0.6",
        ours / ours_one <= 0.6,
    )
    notebooks_time = timed([RDL, "check", "--isolated", "-j", jobs, str(dense_nb)], repeat)
    table.add(f"check {notebooks} notebooks", f"{notebooks_time:.2f} s", "", None, "info", True)

    print("flake8 plugin", flush=True)
    # The strict baseline is flake8 without the plugin: with it installed, flake8 runs it
    # whatever --select says, so E,F,W,RDL against E,F,W in one environment shows only noise.
    alone = work / "flake8-alone"
    if not (alone / "bin" / "flake8").exists():
        subprocess.run([sys.executable, "-m", "venv", str(alone)], check=True)
        subprocess.run([str(alone / "bin" / "pip"), "install", "-q", "flake8"], check=True)
    without = str(alone / "bin" / "flake8")
    parse_only = work / "flake8-parse-only"
    if not (parse_only / "bin" / "flake8").exists():
        from importlib.metadata import version

        package = work / "parse-only-plugin"
        package.mkdir(exist_ok=True)
        (package / "parse_only_plugin.py").write_text(PARSE_ONLY_PLUGIN)
        (package / "pyproject.toml").write_text(PARSE_ONLY_PROJECT.format(libcst=version("libcst")))
        subprocess.run([sys.executable, "-m", "venv", str(parse_only)], check=True)
        subprocess.run([str(parse_only / "bin" / "pip"), "install", "-q", "flake8", str(package)], check=True)
    plugin, base, bare = timed_group(
        [
            [FLAKE8, "--isolated", "--select", "E,F,W,RDL", "-j", jobs, str(stdlib)],
            [FLAKE8, "--isolated", "--select", "E,F,W", "-j", jobs, str(stdlib)],
            [without, "--isolated", "--select", "E,F,W", "-j", jobs, str(stdlib)],
        ],
        repeat,
    )
    table.add(
        "flake8 E,F,W,RDL vs E,F,W, plugin installed (stdlib)",
        f"{plugin:.2f} s",
        f"{base:.2f} s",
        plugin / base,
        "info",
        True,
    )
    table.add(
        "flake8 E,F,W,RDL vs E,F,W without the plugin (stdlib)",
        f"{plugin:.2f} s",
        f"{bare:.2f} s",
        plugin / bare,
        "<= 1.05",
        plugin / bare <= 1.05,
    )
    files_list = work / "dense_files.txt"
    files_list.write_text("\n".join(str(p) for p in sorted(dense.glob("*.py"))))
    where = str(dense)
    plugin, base, parse, parsing = timed_group(
        [
            [FLAKE8, "--isolated", "--select", "E,F,W,RDL", "-j", jobs, where],
            [without, "--isolated", "--select", "E,F,W", "-j", jobs, where],
            [sys.executable, "-c", PARSE_SCRIPT, str(files_list), jobs],
            [str(parse_only / "bin" / "flake8"), "--isolated", "--select", "E,F,W,PXX", "-j", jobs, where],
        ],
        max(repeat, 9),  # a difference of two long runs: its noise is theirs added up
    )
    added = plugin - base
    table.add(
        "flake8 plugin's added time (dense)",
        f"{added:.2f} s",
        f"libcst parse {parse:.2f} s",
        added / parse,
        "<= 1.25",
        added / parse <= 1.25,
    )
    table.add(
        "a flake8 plugin that only parses with libcst: its added time (dense)",
        f"{parsing - base:.2f} s",
        f"libcst parse {parse:.2f} s",
        (parsing - base) / parse,
        "info",
        True,
    )

    print("memory and scaling", flush=True)
    small_mb = peak_mb([RDL, "check", "--isolated", "-j", "1", str(small)])
    large_mb = peak_mb([RDL, "check", "--isolated", "-j", "1", str(large)])
    table.add(
        "peak memory",
        f"{large_mb:.0f} MB ({large_n} files)",
        f"{small_mb:.0f} MB ({small_n} files)",
        large_mb / small_mb,
        "< 200 MB, <= 1.25",
        large_mb < 200 and large_mb / small_mb <= 1.25,
    )
    small_t, large_t = timed_group(
        [
            [RDL, "check", "--isolated", "-j", jobs, str(small)],
            [RDL, "check", "--isolated", "-j", jobs, str(large)],
        ],
        repeat,
    )
    small_t, large_t = small_t / small_n, large_t / large_n
    table.add(
        "time per file",
        f"{large_t * 1000:.2f} ms ({large_n} files)",
        f"{small_t * 1000:.2f} ms ({small_n} files)",
        large_t / small_t,
        "<= 1.2",
        large_t / small_t <= 1.2,
    )
    print(f"multi-module project: {dense_n} modules importing shared blocks and each other", flush=True)
    follow, alone = timed_group(
        [
            [RDL, "check", "--isolated", "-j", jobs, str(project)],
            [RDL, "check", "--isolated", "-j", jobs, "--no-follow-imports", str(project)],
        ],
        repeat,
    )
    table.add(
        f"project-wide analysis ({dense_n + 2} modules), per file",
        f"{follow / (dense_n + 2) * 1000:.2f} ms",
        f"each file alone {alone / (dense_n + 2) * 1000:.2f} ms",
        follow / alone,
        "<= 1.5",
        follow / alone <= 1.5,
    )
    lines = long_file.read_text().count("\n")
    long_t = timed([RDL, "check", "--isolated", str(long_file)], repeat)
    table.add(f"one {lines}-line file", f"{long_t:.2f} s", "", None, "< 5 s", long_t < 5)

    print("language server: 300 edits to a 500-line model file", flush=True)
    model = work / "model_500.py"
    if not model.exists():
        generate.write_long_file(model, 500, seed=6)
    session = Path(__file__).resolve().parent / "lsp_session.py"
    out = subprocess.run(
        [sys.executable, str(session), RDL, str(model), "300"], capture_output=True, text=True
    )
    lsp = json.loads(out.stdout)
    table.add(
        f"server: diagnostics after an edit ({lsp['lines']}-line file)",
        f"{lsp['median_ms']:.0f} ms",
        f"p90 {lsp['p90_ms']:.0f} ms",
        None,
        "< 200 ms",
        lsp["median_ms"] < 200,
    )
    growth = lsp["rss_late_mb"] / lsp["rss_early_mb"]
    table.add(
        "server: memory after 300 edits",
        f"{lsp['rss_late_mb']:.0f} MB",
        f"after 30: {lsp['rss_early_mb']:.0f} MB",
        growth,
        "<= 1.1",
        growth <= 1.1,
    )

    print()
    print(
        f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{time.strftime('%Y-%m-%d')}, median of {repeat} runs{' (--quick)' if args.quick else ''}"
    )
    print(table.markdown())
    (work / "results.json").write_text(json.dumps({"rows": table.rows, "failed": table.failed}, indent=1))
    return 1 if table.failed else 0


if __name__ == "__main__":
    sys.exit(main())
