"""The ``rnn-dropout-lint`` command. Exit codes: 0 clean, 1 findings, 2 errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ._version import __version__
from .fix.styles import STYLES
from .output import FORMATS, error_line, fixed_line, render, rule_table

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
        default="spatial",
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
    results = verify_targets(targets, args.call_args, args.timeout, args.probe_mask)
    for result in results:
        if result.error:
            print(error_line(result.target, result.error), file=sys.stderr, flush=True)
    return results


def _check(args: argparse.Namespace) -> int:
    from .engine import Settings, lint_paths

    selection = _selection(args)
    if selection is None:
        return EXIT_ERROR
    if args.verify and (args.fix or args.diff):
        print("rnn-dropout-lint: error: --verify does not combine with --fix or --diff", file=sys.stderr)
        return EXIT_ERROR
    wants_fixes = args.fix or args.diff or args.output_format == "json"
    settings = Settings(
        selection=selection,
        report_uncertain=args.report_uncertain,
        fix_style=args.fix_style if wants_fixes else None,
    )
    if args.fix or args.diff:
        return _fix(args, settings)
    if args.verify:  # uncertain static findings are what the runtime check decides
        settings = replace(settings, report_uncertain=True)
    findings = []
    errors = 0
    for result in lint_paths(args.paths, settings, args.exclude):
        if result.error is not None:
            errors += 1
            print(error_line(result.path, result.error), file=sys.stderr, flush=True)
        findings.extend(result.findings)
    if args.verify:
        from .runtime.verify import cross_check

        results = _run_targets(args, args.verify)
        if results is None:
            return EXIT_ERROR
        errors += sum(1 for r in results if r.error)
        checked = cross_check(findings, results)
        shown = [f for f in checked if f.certain or args.report_uncertain]
        sys.stdout.write(render(shown, args.output_format))
        if errors:
            return EXIT_ERROR
        standing = [f for f in shown if not (f.verification or "").startswith("refuted")]
        return EXIT_FINDINGS if standing else EXIT_CLEAN
    sys.stdout.write(render(findings, args.output_format))
    if errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if findings else EXIT_CLEAN


def _fix(args: argparse.Namespace, settings: Settings) -> int:
    from .fix.apply import fix_paths

    errors = changed = 0
    fixed: list[Finding] = []
    left: list[Finding] = []
    for outcome in fix_paths(args.paths, settings, args.exclude, args.unsafe_fixes, write=args.fix):
        if outcome.error is not None:
            errors += 1
            print(error_line(outcome.path, outcome.error), file=sys.stderr, flush=True)
            continue
        changed += outcome.changed
        fixed.extend(outcome.fixed)
        left.extend(outcome.left)
        if args.diff:
            sys.stdout.write(outcome.diff())
    verb = "Fixed" if args.fix else "Would fix"
    if args.fix:
        for f in sorted(fixed, key=lambda f: f.sort_key):
            print(fixed_line(f))
        sys.stdout.write(render(left, args.output_format) if left or args.output_format == "json" else "")
    hint = (
        " (run with --unsafe-fixes to apply the unsafe ones)"
        if not args.unsafe_fixes and any(f.fix and f.fix.applicability == "unsafe" for f in left)
        else ""
    )
    print(
        f"{verb} {len(fixed)} finding(s) in {changed} file(s); {len(left)} left{hint}.",
        file=sys.stderr,
    )
    if errors:
        return EXIT_ERROR
    if args.diff:
        return EXIT_FINDINGS if changed else EXIT_CLEAN
    return EXIT_FINDINGS if left else EXIT_CLEAN


def run() -> None:
    """Console-script entry point."""
    try:
        code = main()
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
