"""The ``rnn-dropout-lint`` command. Exit codes: 0 clean, 1 findings, 2 errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._version import __version__
from .fix.styles import STYLES
from .output import FORMATS, error_line, fixed_line, render, rule_table

if TYPE_CHECKING:
    from .engine import Settings
    from .findings import Finding

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

    check = commands.add_parser("check", help="lint files and folders (default: .)")
    check.add_argument("paths", nargs="*", default=["."], metavar="PATH")
    check.add_argument(
        "--select", type=_codes, metavar="CODES", help="only these codes or prefixes: RDL001,RDL002"
    )
    check.add_argument(
        "--extend-select",
        type=_codes,
        default=[],
        metavar="CODES",
        help="add codes to the selection, e.g. RDL901 (opinionated rules are off otherwise)",
    )
    check.add_argument(
        "--ignore", type=_codes, default=[], metavar="CODES", help="skip these codes or prefixes"
    )
    check.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="skip files and folders matching GLOB (name or path; repeatable)",
    )
    check.add_argument("--output-format", choices=FORMATS, default="text", help="default: text")
    check.add_argument(
        "--report-uncertain",
        action="store_true",
        help="also report what the analysis cannot decide (messages say 'possibly')",
    )

    fixing = check.add_argument_group("fixes")
    fixing.add_argument("--fix", action="store_true", help="rewrite files to fix what can be fixed")
    fixing.add_argument(
        "--diff", action="store_true", help="print the diff --fix would apply; write nothing"
    )
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


def _check(args: argparse.Namespace) -> int:
    from .engine import Settings, lint_paths
    from .rules import Selection, SelectionError

    try:
        selection = Selection.parse(args.select, args.extend_select, args.ignore)
    except SelectionError as exc:
        print(f"rnn-dropout-lint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    wants_fixes = args.fix or args.diff or args.output_format == "json"
    settings = Settings(
        selection=selection,
        report_uncertain=args.report_uncertain,
        fix_style=args.fix_style if wants_fixes else None,
    )
    if args.fix or args.diff:
        return _fix(args, settings)
    findings = []
    errors = 0
    for result in lint_paths(args.paths, settings, args.exclude):
        if result.error is not None:
            errors += 1
            print(error_line(result.path, result.error), file=sys.stderr, flush=True)
        findings.extend(result.findings)
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
