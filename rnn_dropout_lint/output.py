"""Every output format, in one place."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from .findings import CellProblem, Finding, Fix

FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


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
        "url": _rule_url(f.code),
    }
    if f.verification is not None:
        record["verification"] = f.verification
    return record


def _fix_record(fix: Fix) -> dict[str, Any]:
    return {
        "applicability": fix.applicability,
        "edits": [_edit_record(e) for e in fix.edits],
        "message": fix.message,
    }


def _edit_record(e: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "content": e.content,
        "end_location": {"column": e.end_col, "row": e.end_row},
        "location": {"column": e.col, "row": e.row},
    }
    if e.cell is not None:  # a notebook: the rows are the rows of this cell
        record = {"cell": e.cell, **record}
    return record


def _rule_url(code: str) -> str | None:
    from .rules import RULES

    rule = RULES.get(code)
    return rule.url if rule is not None else None


def _json() -> Any:
    import json  # only the JSON and SARIF formats need it

    return json


class Report:
    """Writes findings as they arrive, file after file: memory does not grow with the run.

    JSON and SARIF come out exactly as ``_json().dumps(..., indent=2)`` of the whole list would.
    """

    def __init__(self, fmt: str, out: TextIO) -> None:
        self.fmt, self.out = fmt, out
        self.count = 0
        self.codes: Counter[str] = Counter()
        self._closing = ""
        if fmt in ("json", "sarif"):
            document: Any = [] if fmt == "json" else sarif([])
            results = document if fmt == "json" else document["runs"][0]["results"]
            results.append("\0")  # where the findings go
            head, tail = _json().dumps(document, indent=2).split('"\\u0000"')
            self._open, self._indent = head.rstrip(), head[len(head.rstrip()) :].lstrip("\n")
            self._closing = tail
            self._empty = _json().dumps([] if fmt == "json" else sarif([]), indent=2)

    def write(self, findings: Iterable[Finding]) -> None:
        for f in findings:
            if self.fmt in ("json", "sarif"):
                record = json_record(f) if self.fmt == "json" else _sarif_result(f)
                text = _json().dumps(record, indent=2).replace("\n", "\n" + self._indent)
                self.out.write((self._open if not self.count else ",") + "\n" + self._indent + text)
            elif self.fmt == "github":
                self.out.write(github_line(f) + "\n")
            else:
                self.out.write(text_line(f) + "\n")
            self.count += 1
            self.codes[f.code] += 1

    def close(self) -> None:
        if self.fmt in ("json", "sarif"):
            self.out.write(self._empty + "\n" if not self.count else self._closing + "\n")
        self.out.flush()


def render(findings: Sequence[Finding], fmt: str) -> str:
    """The whole report for ``findings``; text ends with a newline when non-empty."""
    buffer = io.StringIO()
    report = Report(fmt, buffer)
    report.write(findings)
    report.close()
    return buffer.getvalue()


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _file_region(f: Finding) -> tuple[int, int, int, int]:
    """Where the finding is in the file itself: in a notebook, inside the JSON string of the
    cell's source (see notebook.with_file_regions); elsewhere its own row and column."""
    return f.file_region if f.file_region is not None else (f.row, f.col, f.end_row, f.end_col)


def github_line(f: Finding) -> str:
    """A GitHub Actions workflow command: an annotation on the line in the pull request."""
    where = f"cell {f.cell}, line {f.row}, column {f.col}: " if f.cell is not None else ""
    row, col, end_row, end_col = _file_region(f)
    properties = ",".join(
        f"{key}={_escape_property(str(value))}"
        for key, value in (
            ("file", f.path),
            ("line", row),
            ("col", col),
            ("endLine", end_row),
            ("endColumn", end_col),
            ("title", f.code),
        )
    )
    return f"::warning {properties}::{_escape_data(where + f.code + ' ' + f.message)}"


def sarif(findings: Sequence[Finding]) -> dict[str, Any]:
    """A SARIF 2.1.0 log that GitHub code scanning accepts."""
    from ._version import __version__
    from .rules import RULES, project_url

    rules = [
        {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": " ".join(rule.what_it_does.split())},
            "help": {"text": rule.doc(), "markdown": rule.doc()},
            "helpUri": rule.url,
            "defaultConfiguration": {"level": "warning"},
            "properties": {"tags": ["correctness", "keras"]},
        }
        for rule in RULES.values()
    ]
    results = [_sarif_result(f) for f in findings]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "rnn-dropout-lint",
                        "version": __version__,
                        "informationUri": project_url(),
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }


def _sarif_result(f: Finding) -> dict[str, Any]:
    from .rules import RULES

    row, col, end_row, end_col = _file_region(f)
    region = {"startLine": row, "startColumn": col, "endLine": end_row, "endColumn": end_col}
    result: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": list(RULES).index(f.code),
        "level": "warning",
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(f.path)}, "region": region}}],
    }
    if f.cell is not None:
        # The region is in the .ipynb file's text (what code scanning shows); the cell's own
        # rows and columns, as the text and JSON formats give them, are properties.
        result["properties"] = {
            "cell": f.cell,
            "cellRegion": {
                "startLine": f.row,
                "startColumn": f.col,
                "endLine": f.end_row,
                "endColumn": f.end_col,
            },
        }
    return result


def _uri(path: str) -> str:
    """A relative path as a URI reference (what code scanning resolves against the checkout)."""
    from pathlib import PurePath
    from urllib.parse import quote

    pure = PurePath(path)
    return quote(pure.as_posix()) if not pure.is_absolute() else pure.as_uri()


def error_line(path: str, reason: str) -> str:
    return f"{path}: error: {reason}"


def cell_problem_line(path: str, problem: CellProblem) -> str:
    """``nb.ipynb:cell 5: error: syntax error ...``; a warning when the notebook excuses the cell."""
    if problem.excused:
        return f"{path}:cell {problem.cell}: warning: not analysed: {problem.reason} ({problem.why})"
    return f"{path}:cell {problem.cell}: error: {problem.reason}"


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
