"""The ``rnn-dropout-lint`` command. Exit codes: 0 clean, 1 findings, 2 errors."""

from __future__ import annotations

import argparse
import io
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._version import __version__
from .fix.styles import STYLES
from .output import (
    FORMATS,
    TEXT_FORMATS,
    cell_problem_line,
    error_line,
    fixable_summary,
    fixed_line,
    rule_table,
    shown,
    use_colour,
)

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
    shared.add_argument(
        "--output-format",
        choices=FORMATS,
        default=None,
        help="full: the code and help for each finding (default, or $RNN_DROPOUT_LINT_OUTPUT_FORMAT); "
        "concise: one short line each; text: one line with the whole message",
    )
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
        "--timeout", type=_seconds, default=120.0, metavar="SECONDS", help="per target (default: 120)"
    )
    group.add_argument(
        "--max-memory",
        type=_memory,
        default=4 * 1024**3,
        metavar="SIZE",
        help="address-space limit for the child building the models, e.g. 4G, 512M (default: 4G; 0: none)",
    )
    group.add_argument(
        "--input-shape",
        type=_shape,
        default=None,
        metavar="DIMS",
        help="build a model that was never called on this input, without the batch axis: 20,64",
    )
    group.add_argument(
        "--keras",
        choices=("3", "2"),
        default="3",
        help="2: build with tf_keras (TF_USE_LEGACY_KERAS=1, `import keras` too) for Keras 2 code",
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
    check.add_argument(
        "--no-respect-gitignore",
        dest="respect_gitignore",
        action="store_false",
        help="also check files that .gitignore, .ignore or .git/info/exclude leave out of folders",
    )
    check.add_argument("--stdin-filename", metavar="PATH", help="the name to report for '-' (standard input)")
    check.add_argument("--statistics", action="store_true", help="count the findings per code")
    check.add_argument(
        "--show-files", action="store_true", help="list the files that would be checked, and stop"
    )
    check.add_argument(
        "--show-settings",
        action="store_true",
        help="print the settings resolved for the first PATH (configuration file and command line), and stop",
    )
    check.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=0,
        metavar="N",
        help="processes to spread the files over (default and most: the number of cores)",
    )
    check.add_argument(
        "--max-file-size",
        type=_file_size,
        default=10 * 1024**2,
        metavar="SIZE",
        help="larger files are not read, and a file with more than a tenth of it in code is "
        "not analysed (memory); e.g. 20M (default: 10M; 0: no limit)",
    )
    check.add_argument(
        "--no-follow-imports",
        dest="follow_imports",
        action="store_false",
        help="analyse each file alone: do not read the project's other modules (its imports and importers)",
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
    fixing.add_argument(
        "--show-fixes", action="store_true", help="with --fix, list what was fixed (before what is left)"
    )
    fixing.add_argument(
        "--exit-non-zero-on-fix",
        action="store_true",
        help="with --fix, exit 1 when a file was changed, even if nothing is left",
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

    commands.add_parser(
        "server",
        help="run the language server (LSP over stdio; needs the lsp extra)",
        description="A Language Server Protocol server over stdin/stdout for editors and "
        "JupyterLab: diagnostics for Python files and notebooks, quick fixes, fix all, add noqa. "
        "Install it with: pip install 'rnn-dropout-lint[lsp]'.",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from .output import default_format

    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "output_format", "") is None:
        args.output_format = default_format()
    if args.command == "rule":
        return _rule(args.code)
    if args.command == "check":
        return _check(args)
    if args.command == "verify":
        return _verify(args)
    if args.command == "server":
        from .lsp import main as serve

        return serve()
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


MAX_TIMEOUT = 7 * 24 * 3600.0
MIN_MEMORY = 256 * 1024**2  # less cannot even import TensorFlow


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds <= MAX_TIMEOUT:  # also rejects nan
        raise argparse.ArgumentTypeError(f"not a timeout: {value!r} (seconds, more than 0, at most a week)")
    return seconds


def _memory(value: str) -> int:
    try:
        size = _size(value)
    except OverflowError:  # "inf", "1e400"
        size = -1
    if size != 0 and not MIN_MEMORY <= size <= 2**62:
        raise argparse.ArgumentTypeError(f"not a memory limit: {value!r} (from 256M; 0: no limit)")
    return size


def _file_size(value: str) -> int:
    try:
        size = _size(value)
    except OverflowError:  # "inf"
        size = -1
    if size < 0:
        raise argparse.ArgumentTypeError(f"not a size: {value!r} (use 10M, 512K, ...; 0: no limit)")
    return size


def _jobs(value: str) -> int:
    """0 is the number of cores; a negative count is a mistake, not "sequential"."""
    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of processes: {value!r}") from None
    if jobs < 0:
        raise argparse.ArgumentTypeError(f"{jobs} processes: use 1 or more (0: the number of cores)")
    return jobs


def _shape(value: str) -> list[int]:
    parts = [part.strip() for part in value.strip("()").split(",") if part.strip()]
    if not parts or not all(part.isdigit() and int(part) > 0 for part in parts):
        raise argparse.ArgumentTypeError(f"not a shape: {value!r} (sizes without the batch axis: 20,64)")
    return [int(part) for part in parts]


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
    import time

    from .output import Report

    started = time.perf_counter()
    _foreign_codes(args)
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
    report = Report(args.output_format, sys.stdout, colour=use_colour(sys.stdout))
    report.write(findings)
    report.close()
    errors = sum(1 for r in results if r.error)
    _summary(args, len(results), time.perf_counter() - started, report, 0, errors, what="target(s) verified")
    if errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if findings else EXIT_CLEAN


def _run_targets(args: argparse.Namespace, targets: list[str]) -> list | None:
    from .runtime.verify import INSTALL_HINT, runtime_available, verify_targets

    if not runtime_available():
        print(INSTALL_HINT, file=sys.stderr)
        return None
    results = verify_targets(
        targets,
        args.call_args,
        args.timeout,
        args.probe_mask,
        args.max_memory,
        input_shape=args.input_shape,
        keras_version=args.keras,
    )
    for result in results:
        if result.error:
            print(error_line(result.target, result.error), file=sys.stderr, flush=True)
    return results


def _foreign_codes(args: argparse.Namespace) -> None:
    """Codes of other linters (``E501``) in --select/--ignore, as a shared pre-commit or CI
    line passes them, are not ours to check: dropped, with one note."""
    dropped: list[str] = []
    for option in ("select", "extend_select", "ignore"):
        codes = getattr(args, option)
        if codes is None:
            continue
        ours = [c for c in codes if _ours(c)]
        dropped += [c.strip() for c in codes if c not in ours]
        setattr(args, option, ours)  # --select E501 alone selects none of ours, as in flake8
    if dropped:
        print(f"rnn-dropout-lint: note: ignoring codes of other tools: {', '.join(dropped)}", file=sys.stderr)


def _ours(code: str) -> bool:
    """RDL001, RDL0 and RDL are ours; so are R and RD, prefixes of every RDL code."""
    code = code.strip().upper()
    return code.startswith("RDL") or "RDL".startswith(code)


class _Project:
    """Settings per file: the nearest configuration (see config.SettingsResolver) under the command line."""

    def __init__(self, args: argparse.Namespace, resolver: Any) -> None:
        self.args = args
        self.resolver = resolver

    @classmethod
    def create(cls, args: argparse.Namespace) -> _Project | None:
        from pathlib import Path

        from . import config as cfg

        _foreign_codes(args)
        overrides = cfg.Overrides(
            select=tuple(args.select) if args.select is not None else None,
            extend_select=tuple(args.extend_select),
            ignore=tuple(args.ignore),
            report_uncertain=True if args.report_uncertain or args.verify else None,
            fix_style=args.fix_style,
            follow_imports=None if args.follow_imports else False,
            # Text shows which findings a fix exists for; JSON and SARIF carry the edits.
            fix_edits=getattr(args, "output_format", "json") not in (*TEXT_FORMATS, "github"),
            max_file_size=args.max_file_size,
        )
        try:
            fixed = cfg.Config() if args.isolated else cfg.load(Path(args.config)) if args.config else None
            project = cls(args, cfg.SettingsResolver(overrides, fixed))
            project.settings_for(Path(args.stdin_filename or ".") if args.paths == ["-"] else Path("."))
        except cfg.ConfigError as exc:
            print(f"rnn-dropout-lint: error: {exc}", file=sys.stderr)
            return None
        except ValueError as exc:  # a command-line code that matches no rule
            print(f"rnn-dropout-lint: error: {exc}", file=sys.stderr)
            return None
        return project

    def config(self, path: Any) -> Any:
        return self.resolver.configs.for_path(path)

    def exclude(self, path: Any) -> tuple[str, ...]:
        return (*self.config(path).exclude_globs(), *self.args.exclude)

    def settings_for(self, path: Any) -> Settings:
        """Raises ConfigError (a configuration file) or SelectionError (a code)."""
        return self.resolver.for_path(path)


class _Progress:
    """A progress bar on stderr, only for people watching a terminal (never in CI logs)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.done, self.enabled = total, 0, enabled and total > 1
        self.drawn = False

    def step(self) -> None:
        self.done += 1
        if self.enabled:
            filled = 30 * self.done // self.total
            bar = "#" * filled + "-" * (30 - filled)
            sys.stderr.write(f"\r[{bar}] {self.done}/{self.total} files")
            sys.stderr.flush()
            self.drawn = True

    def close(self) -> None:
        """Erase the bar, before anything else is printed (the next step draws it again)."""
        if self.drawn:
            sys.stdout.flush()
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()
            self.drawn = False


def _check(args: argparse.Namespace) -> int:
    import time

    started = time.perf_counter()
    if args.verify and (args.fix or args.diff):
        print("rnn-dropout-lint: error: --verify does not combine with --fix or --diff", file=sys.stderr)
        return EXIT_ERROR
    if "-" in args.paths and len(args.paths) > 1:
        print("rnn-dropout-lint: error: '-' (standard input) cannot be mixed with paths", file=sys.stderr)
        return EXIT_ERROR
    project = _Project.create(args)
    if project is None:
        return EXIT_ERROR
    from pathlib import Path

    if args.paths == ["-"]:
        return _stdin(args, project.settings_for(Path(args.stdin_filename or ".")))
    from .findings import FileResult
    from .jobs import Job, default_jobs, run_jobs
    from .output import Report

    if args.show_settings:
        return _show_settings(args, project, Path(args.paths[0]))
    found_files = _files(args, project)
    if found_files is None:
        return EXIT_ERROR
    items, settings_of = found_files
    if args.show_files:
        listed = [shown(str(item)) for item in items if not isinstance(item, FileResult)]
        sys.stdout.write("".join(f"{name}\n" for name in listed))
        for item in items:
            if isinstance(item, FileResult):
                print(error_line(item.path, item.error or ""), file=sys.stderr)
        return EXIT_ERROR if any(isinstance(item, FileResult) for item in items) else EXIT_CLEAN
    progress = _Progress(len(items), sys.stderr.isatty() and args.output_format in (*TEXT_FORMATS, "github"))
    # Findings stream out file by file; only --verify must see them all before it can judge them.
    out = sys.stdout if not args.diff else io.StringIO()
    report = Report(args.output_format, out, args.unsafe_fixes, args.fix, use_colour(out))
    held: list[Finding] = []
    fixed = errors = warnings = changed = 0
    mode = "diff" if args.diff else "fix" if args.fix else "check"  # --diff wins: it never writes

    def make(path: str) -> Job:
        return Job(path, settings_of[path], mode, args.unsafe_fixes)

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
        if found or (not isinstance(outcome, FileResult) and (outcome.fixed or outcome.changed)):
            progress.close()  # findings, fixes and diffs start on a line of their own
        if not isinstance(outcome, FileResult):
            changed += outcome.changed
            fixed += len(outcome.fixed)
            if args.diff:
                sys.stdout.write(outcome.diff())
            elif args.output_format in TEXT_FORMATS and args.show_fixes:
                sys.stdout.write("".join(fixed_line(f) + "\n" for f in outcome.fixed))
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
        _statistics(report.codes, sys.stdout if args.output_format in TEXT_FORMATS else sys.stderr)
    _summary(args, len(items), time.perf_counter() - started, report, fixed, errors, warnings)
    if errors:
        return EXIT_ERROR
    if args.fix and args.exit_non_zero_on_fix and changed and not args.diff:
        return EXIT_FINDINGS  # ruff's meaning: files were changed, whatever is left
    if args.exit_zero:
        return EXIT_CLEAN
    if args.diff:
        return EXIT_FINDINGS if changed else EXIT_CLEAN
    return EXIT_FINDINGS if report.count > refuted else EXIT_CLEAN


def _show_settings(args: argparse.Namespace, project: _Project, path: Any) -> int:
    """The settings ``check`` would use for ``path``, as JSON: what the file and the command line made."""
    import json

    from . import config as cfg
    from .rules import RULES, SelectionError

    try:
        settings, conf = project.settings_for(path), project.config(path)
    except (cfg.ConfigError, SelectionError) as exc:
        print(f"rnn-dropout-lint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    resolved = {
        "path": str(path),
        "rules": [code for code in RULES if settings.selection.enabled(code)],
        "fix-style": settings.fix_style,
        "report-uncertain": settings.report_uncertain,
        "exclude": [*conf.exclude_globs(), *args.exclude],
        "file": conf.settings(),
    }
    sys.stdout.write(json.dumps(resolved, indent=2) + "\n")
    return EXIT_CLEAN


def _files(args: argparse.Namespace, project: _Project) -> tuple[list[Any], dict[str, Settings]] | None:
    """The files to check, each with its own settings; None after a configuration error."""
    from pathlib import Path

    from . import config as cfg
    from .files import discover, excluded
    from .findings import FileResult
    from .rules import SelectionError

    items: list[Any] = []
    settings_of: dict[str, Settings] = {}
    seen: set[object] = set()  # each file once, however often it is named
    from .ignores import GitIgnores

    ignores = GitIgnores() if args.respect_gitignore else None
    try:
        for given in args.paths:
            walked = Path(given).is_dir()  # a file named on the command line is always checked
            for item in discover([Path(given)], project.exclude(Path(given)), seen):
                if isinstance(item, FileResult):
                    items.append(item)
                elif ignores is not None and walked and ignores.ignored(item, Path(given)):
                    continue
                elif not excluded(item, project.exclude(item)):  # a nearer configuration's excludes
                    items.append(item)
                    settings_of[str(item)] = project.settings_for(item)
    except (cfg.ConfigError, SelectionError) as exc:
        print(f"rnn-dropout-lint: error: {exc}", file=sys.stderr)
        return None
    return items, settings_of


def _looks_like_a_notebook(raw: bytes) -> bool:
    import json

    if not raw.lstrip().startswith(b"{"):
        return False
    try:
        document = json.loads(raw)
    except ValueError:
        return False
    return isinstance(document, dict) and ("cells" in document or "worksheets" in document)


def _stdin(args: argparse.Namespace, settings: Settings) -> int:
    """``check -``: read the source from standard input; ``--fix`` writes the fixed source to stdout."""
    import time

    started = time.perf_counter()
    code = _stdin_run(args, settings)
    report = code[1]
    _summary(args, 1, time.perf_counter() - started, report, code[2], int(code[0] == EXIT_ERROR))
    return code[0]


def _stdin_run(args: argparse.Namespace, settings: Settings) -> tuple[int, Any, int]:
    """(exit status, the report, findings fixed)."""
    from .engine import LintError, check_decodable, check_notebook, lint_source
    from .files import read_stream
    from .fix.apply import fix_notebook, fix_text
    from .fix.text import SourceFile
    from .output import Report

    name = args.stdin_filename or "-"
    problems: Sequence[Any] = ()
    colour = use_colour(sys.stderr if args.fix else sys.stdout)
    report = Report(args.output_format, io.StringIO(), args.unsafe_fixes, args.fix, colour)
    try:  # closed (``<&-``: no sys.stdin at all), unreadable, or endless (``< /dev/zero``)
        raw = read_stream(sys.stdin, settings.max_file_size)
    except OSError as exc:
        print(error_line(name, exc.strerror or str(exc)), file=sys.stderr)
        return EXIT_ERROR, report, 0
    if not name.endswith(".ipynb") and _looks_like_a_notebook(raw):
        # A notebook's JSON is a valid Python expression: it would "pass" without a finding.
        reason = "standard input is a notebook (JSON); name it with --stdin-filename NAME.ipynb"
        print(error_line(name, reason), file=sys.stderr)
        return EXIT_ERROR, report, 0
    try:
        check_decodable(raw)  # NUL bytes, encodings: the same answer with and without --fix
        source = SourceFile.decode(raw)
        text = source.text
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
        return EXIT_ERROR, report, 0
    for problem in problems:
        print(cell_problem_line(name, problem), file=sys.stderr)
    broken = any(not p.excused for p in problems)  # a notebook cell that could not be analysed
    if args.diff:
        from .fix.apply import FixOutcome

        sys.stdout.write(FixOutcome(name, text, after).diff())
        status = EXIT_ERROR if broken else EXIT_FINDINGS if after != text else EXIT_CLEAN
        return status, report, len(fixed)
    # With --fix the fixed source is the output; the report goes to stderr.
    out = sys.stderr if args.fix else sys.stdout
    if args.fix:  # the input's own bytes and encoding (cookie, BOM), as a fixed file keeps them
        sys.stdout.flush()
        sys.stdout.buffer.write(raw if after == text else source.encode(after))
        sys.stdout.buffer.flush()
        if args.show_fixes:
            sys.stderr.write("".join(fixed_line(f) + "\n" for f in fixed))
    from .output import source_lines

    report.sources = lambda f: source_lines(f, after)  # the code frame: the text read from stdin
    report.write(left)
    report.close()
    out.write(report.out.getvalue())  # type: ignore[attr-defined]
    if args.statistics:
        codes = Counter(f.code for f in left)
        _statistics(codes, sys.stdout if args.output_format in TEXT_FORMATS and not args.fix else sys.stderr)
    if broken:
        return EXIT_ERROR, report, len(fixed)
    if args.fix and args.exit_non_zero_on_fix and after != text:
        return EXIT_FINDINGS, report, len(fixed)
    return (EXIT_CLEAN if args.exit_zero or not left else EXIT_FINDINGS), report, len(fixed)


def _statistics(codes: Mapping[str, int], out: Any) -> None:
    from .rules import RULES

    for code, count in sorted(codes.items()):
        out.write(f"{count:<6}{code} {RULES[code].summary}\n")


def _summary(
    args: argparse.Namespace,
    files: int,
    seconds: float,
    report: Any,
    fixed: int,
    errors: int,
    warnings: int = 0,
    what: str = "file(s) checked",
) -> None:
    """What --fix could fix (text formats, as ruff), then the one summary line every run ends with."""
    fixes = fixable_summary(report.fixes, getattr(args, "unsafe_fixes", False))
    if fixes and not getattr(args, "diff", False) and args.output_format in TEXT_FORMATS:
        print(fixes, file=sys.stderr)
    fixed_word = "would be fixed" if getattr(args, "diff", False) else "fixed"
    skipped = f", {warnings} warning(s)" if warnings else ""  # excused notebook cells
    print(
        f"{files} {what} in {seconds:.2f} s: {report.count} finding(s), "
        f"{fixed} {fixed_word}, {errors} error(s){skipped}.",
        file=sys.stderr,
    )


def run() -> None:
    """Console-script entry point."""
    try:
        code = main()
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
