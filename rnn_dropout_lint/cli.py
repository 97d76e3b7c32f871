"""The ``rnn-dropout-lint`` command. Exit codes: 0 clean, 1 findings, 2 errors."""

from __future__ import annotations

import argparse
import io
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .fix.styles import STYLES
from .output import FORMATS, cell_problem_line, error_line, fixed_line, render, rule_table

if TYPE_CHECKING:
    from .engine import Settings
    from .findings import Finding
    from .rules import Selection

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _codes(value: str) -> list[str]:
    return [part for part in value.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rnn-dropout-lint",
        description=(
            "Find Dropout layers that draw a new mask at every time step in front of Keras "
            "recurrent layers. `check` reads source code; it never imports or runs it."
        ),
    )
    parser.add_argument("--version", action="version", version=f"rnn-dropout-lint {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument(
        "--select", type=_codes, metavar="CODES", help="only these codes or prefixes: RDL001,RDL002"
    )
    shared.add_argument(
        "--extend-select",
        type=_codes,
        default=[],
        metavar="CODES",
        help="add codes to the selection, e.g. RDL901 (opinionated rules are off otherwise)",
    )
    shared.add_argument(
        "--ignore", type=_codes, default=[], metavar="CODES", help="skip these codes or prefixes"
    )
    shared.add_argument("--output-format", choices=FORMATS, default="text", help="default: text")
    shared.add_argument(
        "--report-uncertain",
        action="store_true",
        help="also report what the analysis cannot decide (messages say 'possibly')",
    )
    runtime = argparse.ArgumentParser(add_help=False)
    group = runtime.add_argument_group("runtime (executes the target's code in a child process)")
    group.add_argument(
        "--call-args",
        type=_json_object,
        default={},
        metavar="JSON",
        help="keyword arguments: '{\"units\": 32}'",
    )
    group.add_argument(
        "--timeout", type=float, default=120.0, metavar="SECONDS", help="per target (default: 120)"
    )
    group.add_argument(
        "--max-memory",
        type=_size,
        default=4 * 1024**3,
        metavar="SIZE",
        help="address-space limit for the child building the models, e.g. 4G, 512M (default: 4G; 0: none)",
    )
    group.add_argument(
        "--probe-mask",
        action="store_true",
        help="apply each flagged layer alone to a ones tensor and report whether its mask varies over time",
    )

    check = commands.add_parser(
        "check", parents=[shared, runtime], help="lint files and folders (default: .); never runs them"
    )
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    check.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files and folders matching GLOB (name or path; repeatable)",
    )
    check.add_argument("--config", metavar="FILE", help="read [tool.rnn-dropout-lint] from this file")
    check.add_argument("--isolated", action="store_true", help="ignore every configuration file")
    check.add_argument("--stdin-filename", metavar="PATH", help="the name to report for '-' (standard input)")
    check.add_argument("--statistics", action="store_true", help="count the findings per code")
    check.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=0,
        metavar="N",
        help="processes to spread the files over (default: the number of cores)",
    )
    check.add_argument(
        "--exit-zero", action="store_true", help="exit 0 even when there are findings (errors still exit 2)"
    )
    check.add_argument(
        "--verify",
        action="append",
        default=[],
        metavar="TARGET",
        help="also build TARGET (file.py:function) with TensorFlow and mark each finding confirmed, "
        "refuted, static-only or runtime-only; this EXECUTES the target",
    )

    fixing = check.add_argument_group("fixes")
    fixing.add_argument("--fix", action="store_true", help="rewrite files to fix what can be fixed")
    fixing.add_argument("--diff", action="store_true", help="print the diff --fix would apply; write nothing")
    fixing.add_argument(
        "--fix-style",
        choices=STYLES,
        default=None,
        help="spatial: SpatialDropout1D (default; noise-shape where it does not fit); "
        "noise-shape: add a time-shared noise_shape; merge: move the rate to the next "
        "recurrent layer's dropout= (unsafe)",
    )
    fixing.add_argument(
        "--unsafe-fixes", action="store_true", help="also apply unsafe fixes (the merge style)"
    )

    verify = commands.add_parser(
        "verify",
        parents=[shared, runtime],
        help="build models with TensorFlow and check them; EXECUTES the targets",
        description="Build each TARGET's Keras model in a child process (this executes its code) "
        "and report the findings with the real tensor shapes. TARGET is path/to/file.py:function, "
        "package.module:function (a callable returning a Keras model) or a .keras/.h5 file.",
    )
    verify.add_argument("targets", nargs="+", metavar="TARGET")

    rule = commands.add_parser("rule", help="explain a rule (all rules when no code is given)")
    rule.add_argument("code", nargs="?", metavar="CODE")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "rule":
        return _rule(args.code)
    if args.command == "check":
        return _check(args)
    if args.command == "verify":
        return _verify(args)
    parser.print_help()
    return EXIT_ERROR


def _rule(code: str | None) -> int:
    from .rules import RULES

    if code is None:
        sys.stdout.write(rule_table(RULES.values()))
        return EXIT_CLEAN
    rule = RULES.get(code.upper())
    if rule is None:
        print(f"rnn-dropout-lint: error: unknown rule {code!r} (known: {', '.join(RULES)})", file=sys.stderr)
        return EXIT_ERROR
    sys.stdout.write(rule.doc())
    return EXIT_CLEAN


def _size(value: str) -> int:
    units = {"K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
    text = value.strip().upper().removesuffix("B")
    try:
        if text and text[-1] in units:
            return int(float(text[:-1]) * units[text[-1]])
        return int(float(text) * units["M"])  # a bare number is megabytes
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {value!r} (use 4G, 512M, ...)") from None


def _json_object(value: str) -> dict[str, object]:
    import json

    try:
        parsed = json.loads(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not JSON: {exc}") from None
    if not isinstance(parsed, dict):
        raise argparse.ArgumentTypeError("expected a JSON object of keyword arguments")
    return parsed


def _selection(args: argparse.Namespace) -> Selection | None:
    from .rules import Selection, SelectionError

    try:
        return Selection.parse(args.select, args.extend_select, args.ignore)
    except SelectionError as exc:
        print(f"rnn-dropout-lint: error: {exc}", file=sys.stderr)
        return None


def _verify(args: argparse.Namespace) -> int:
    selection = _selection(args)
    if selection is None:
        return EXIT_ERROR
    results = _run_targets(args, args.targets)
    if results is None:
        return EXIT_ERROR
    findings = [
        f
        for r in results
        for f in r.findings
        if selection.enabled(f.code) and (f.certain or args.report_uncertain)
    ]
    sys.stdout.write(render(findings, args.output_format))
    if any(r.error for r in results):
        return EXIT_ERROR
    return EXIT_FINDINGS if findings else EXIT_CLEAN


def _run_targets(args: argparse.Namespace, targets: list[str]) -> list | None:
    from .runtime.verify import INSTALL_HINT, runtime_available, verify_targets

    if not runtime_available():
        print(INSTALL_HINT, file=sys.stderr)
        return None
    results = verify_targets(targets, args.call_args, args.timeout, args.probe_mask, args.max_memory)
    for result in results:
        if result.error:
            print(error_line(result.target, result.error), file=sys.stderr, flush=True)
    return results


def _project(args: argparse.Namespace) -> tuple[Settings, Callable[[str], Settings], tuple[str, ...]] | None:
    """Settings from pyproject.toml and the command line (which wins), per file."""
    from pathlib import Path

    from . import config as cfg
    from .engine import Settings
    from .keras_table import DEFAULT_TABLE
    from .rules import Selection, SelectionError

    try:
        if args.isolated:
            conf = cfg.Config()
        elif args.config:
            conf = cfg.load(Path(args.config))
        else:
            start = next((p for p in args.paths if p != "-"), ".")
            found = cfg.find(Path(start))
            conf = cfg.load(found) if found is not None else cfg.Config()
        selection = Selection.parse(
            args.select if args.select is not None else conf.select,
            (*conf.extend_select, *args.extend_select),
            (*conf.ignore, *args.ignore),
        )
    except (cfg.ConfigError, SelectionError) as exc:
        print(f"rnn-dropout-lint: error: {exc}", file=sys.stderr)
        return None
    wants_fixes = args.fix or args.diff or args.output_format in ("json", "sarif")
    settings = Settings(
        selection=selection,
        report_uncertain=args.report_uncertain or conf.report_uncertain or bool(args.verify),
        table=DEFAULT_TABLE.extended(
            recurrent=conf.extra_recurrent_layers, transparent=conf.extra_transparent_layers
        ),
        fix_style=(args.fix_style or conf.fix_style or "spatial") if wants_fixes else None,
    )
    root = conf.root.absolute().as_posix()
    exclude = (
        *conf.exclude,
        *(f"{root}/{pattern}" for pattern in conf.exclude),
        *args.exclude,
    )

    def settings_for(path: str) -> Settings:
        ignored = conf.ignored_codes_for(path)
        return replace(settings, selection=selection.with_ignored(ignored)) if ignored else settings

    return settings, settings_for, exclude


class _Progress:
    """A progress bar on stderr, only for people watching a terminal (never in CI logs)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done, self.enabled = total, 0, enabled and total > 1

    def step(self) -> None:
        self.done += 1
        if self.enabled:
            filled = 30 * self.done // self.total
            bar = "#" * filled + "-" * (30 - filled)
            sys.stderr.write(f"\r[{bar}] {self.done}/{self.total} files")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def _check(args: argparse.Namespace) -> int:
    import time

    started = time.perf_counter()
    if args.verify and (args.fix or args.diff):
        print("rnn-dropout-lint: error: --verify does not combine with --fix or --diff", file=sys.stderr)
        return EXIT_ERROR
    if "-" in args.paths and len(args.paths) > 1:
        print("rnn-dropout-lint: error: '-' (standard input) cannot be mixed with paths", file=sys.stderr)
        return EXIT_ERROR
    project = _project(args)
    if project is None:
        return EXIT_ERROR
    _, settings_for, exclude = project
    if args.paths == ["-"]:
        return _stdin(args, settings_for(args.stdin_filename or "-"))
    from pathlib import Path

    from .files import discover
    from .findings import FileResult
    from .jobs import Job, default_jobs, run_jobs
    from .output import Report

    items = list(discover([Path(p) for p in args.paths], exclude))
    progress = _Progress(len(items), sys.stderr.isatty() and args.output_format in ("text", "github"))
    # Findings stream out file by file; only --verify must see them all before it can judge them.
    report = Report(args.output_format, sys.stdout if not args.diff else io.StringIO())
    held: list[Finding] = []
    fixed = errors = warnings = changed = unsafe_left = 0
    mode = "fix" if args.fix else "diff" if args.diff else "check"

    def make(path: str) -> Job:
        return Job(path, settings_for(path), mode, args.unsafe_fixes)

    for outcome in run_jobs(items, make, args.jobs or default_jobs()):
        progress.step()
        if outcome.error is not None:
            errors += 1
            progress.close()
            print(error_line(outcome.path, outcome.error), file=sys.stderr, flush=True)
            continue
        if outcome.problems:  # notebook cells that could not be analysed; the others were
            progress.close()
            for problem in outcome.problems:
                print(cell_problem_line(outcome.path, problem), file=sys.stderr, flush=True)
                warnings += problem.excused
                errors += not problem.excused
        found = outcome.findings if isinstance(outcome, FileResult) else outcome.left
        if not isinstance(outcome, FileResult):
            changed += outcome.changed
            fixed += len(outcome.fixed)
            if args.diff:
                sys.stdout.write(outcome.diff())
            elif args.output_format == "text":
                sys.stdout.write("".join(fixed_line(f) + "\n" for f in outcome.fixed))
        unsafe_left += sum(1 for f in found if f.fix is not None and f.fix.applicability == "unsafe")
        if args.verify:
            held.extend(found)
        else:
            report.write(found)
    progress.close()
    if args.verify:
        from .runtime.verify import cross_check

        results = _run_targets(args, args.verify)
        if results is None:
            return EXIT_ERROR
        errors += sum(1 for r in results if r.error)
        checked = [f for f in cross_check(held, results) if f.certain or args.report_uncertain]
        report.write(checked)
        refuted = sum(1 for f in checked if (f.verification or "").startswith("refuted"))
    else:
        refuted = 0
    report.close()
    if args.statistics:
        _statistics(report.codes, sys.stdout if args.output_format == "text" else sys.stderr)
    _summary(
        args, len(items), time.perf_counter() - started, report.count, fixed, errors, unsafe_left, warnings
    )
    if errors:
        return EXIT_ERROR
    if args.exit_zero:
        return EXIT_CLEAN
    if args.diff:
        return EXIT_FINDINGS if changed else EXIT_CLEAN
    return EXIT_FINDINGS if report.count > refuted else EXIT_CLEAN


def _stdin(args: argparse.Namespace, settings: Settings) -> int:
    """``check -``: read the source from standard input; ``--fix`` writes the fixed source to stdout."""
    from .engine import LintError, check_notebook, lint_source
    from .fix.apply import fix_notebook, fix_text
    from .fix.text import SourceFile

    name = args.stdin_filename or "-"
    raw = sys.stdin.buffer.read()
    problems: Sequence[Any] = ()
    try:
        text = SourceFile.decode(raw).text
        if (args.fix or args.diff) and name.endswith(".ipynb"):
            outcome = fix_notebook(text, name, settings, args.unsafe_fixes)
            after, fixed, left, problems = outcome.after, outcome.fixed, outcome.left, outcome.problems
        elif args.fix or args.diff:
            after, fixed, left = fix_text(text, name, settings, args.unsafe_fixes)
        elif name.endswith(".ipynb"):
            left, problems = check_notebook(text, name, settings)
            after, fixed = text, []
        else:
            after, fixed, left = text, [], lint_source(raw, name, settings)
    except (LintError, SyntaxError, UnicodeDecodeError) as exc:
        print(error_line(name, str(exc)), file=sys.stderr)
        return EXIT_ERROR
    for problem in problems:
        print(cell_problem_line(name, problem), file=sys.stderr)
    broken = any(not p.excused for p in problems)  # a notebook cell that could not be analysed
    if args.fix:
        sys.stdout.write(after)
        sys.stderr.write("".join(fixed_line(f) + "\n" for f in fixed))
        sys.stderr.write(render(left, "text"))
    elif args.diff:
        from .fix.apply import FixOutcome

        sys.stdout.write(FixOutcome(name, text, after).diff())
        return EXIT_ERROR if broken else EXIT_FINDINGS if after != text else EXIT_CLEAN
    else:
        sys.stdout.write(render(left, args.output_format))
    if args.statistics:
        codes = Counter(f.code for f in left)
        _statistics(codes, sys.stdout if args.output_format == "text" and not args.fix else sys.stderr)
    if broken:
        return EXIT_ERROR
    return EXIT_CLEAN if args.exit_zero or not left else EXIT_FINDINGS


def _statistics(codes: Mapping[str, int], out: Any) -> None:
    from .rules import RULES

    for code, count in sorted(codes.items()):
        out.write(f"{count:<6}{code} {RULES[code].summary}\n")


def _summary(
    args: argparse.Namespace,
    files: int,
    seconds: float,
    findings: int,
    fixed: int,
    errors: int,
    unsafe: int,
    warnings: int = 0,
) -> None:
    fixed_word = "would be fixed" if args.diff else "fixed"
    hint = "; run with --unsafe-fixes to apply the unsafe ones" if unsafe and not args.unsafe_fixes else ""
    skipped = f", {warnings} warning(s)" if warnings else ""  # excused notebook cells
    print(
        f"{files} file(s) checked in {seconds:.2f} s: {findings} finding(s), "
        f"{fixed} {fixed_word}, {errors} error(s){skipped}{hint}.",
        file=sys.stderr,
    )


def run() -> None:
    """Console-script entry point."""
    try:
        code = main()
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
