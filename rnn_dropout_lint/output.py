"""Every output format, in one place."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from .findings import Finding, Fix

FORMATS = ("text", "json")


def _location(f: Finding) -> str:
    place = f"{f.path}:cell {f.cell}" if f.cell is not None else f.path
    return f"{place}:{f.row}:{f.col}"


def text_line(f: Finding) -> str:
    """``path:row:col: CODE message`` (notebooks: ``path:cell N:row:col: ...``)."""
    note = f" [{f.verification}]" if f.verification else ""
    return f"{_location(f)}: {f.code} {f.message}{note}"


def fixed_line(f: Finding) -> str:
    """What --fix reports for a finding it fixed."""
    message = f.fix.message if f.fix is not None else ""
    return f"{_location(f)}: {f.code} fixed: {message}"


def json_record(f: Finding) -> dict[str, Any]:
    """One finding shaped like ruff's JSON output."""
    record = {
        "cell": f.cell,
        "code": f.code,
        "end_location": {"column": f.end_col, "row": f.end_row},
        "filename": f.path,
        "fix": _fix_record(f.fix) if f.fix is not None else None,
        "location": {"column": f.col, "row": f.row},
        "message": f.message,
        "noqa_row": f.row,
        "url": None,
    }
    if f.verification is not None:
        record["verification"] = f.verification
    return record


def _fix_record(fix: Fix) -> dict[str, Any]:
    return {
        "applicability": fix.applicability,
        "edits": [
            {
                "content": e.content,
                "end_location": {"column": e.end_col, "row": e.end_row},
                "location": {"column": e.col, "row": e.row},
            }
            for e in fix.edits
        ],
        "message": fix.message,
    }


def render(findings: Sequence[Finding], fmt: str) -> str:
    """The whole report for ``findings``; text ends with a newline when non-empty."""
    if fmt == "json":
        return json.dumps([json_record(f) for f in findings], indent=2) + "\n"
    return "".join(text_line(f) + "\n" for f in findings)


def error_line(path: str, reason: str) -> str:
    return f"{path}: error: {reason}"


def rule_reference(rules: Iterable[Any]) -> str:
    """The README's rule reference: the table, then every rule's documentation."""
    rules = list(rules)
    return rule_table(rules) + "".join("\n" + rule.doc(level=3) for rule in rules)


def rule_table(rules: Iterable[Any]) -> str:
    """The README's rule table (Markdown), generated from the registry."""
    rows = ["| Code | Name | Summary | Default |", "| --- | --- | --- | --- |"]
    for rule in rules:
        default = "off (opinionated)" if rule.opinionated else "on"
        rows.append(f"| {rule.code} | {rule.name} | {rule.summary} | {default} |")
    return "\n".join(rows) + "\n"
