"""Every output format, in one place."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any, TextIO

from .findings import CellProblem, Finding, Fix

FORMATS = ("full", "concise", "grouped", "text", "json", "sarif", "github")
TEXT_FORMATS = ("full", "concise", "grouped", "text")  # for people (and the one-line text for scripts)
DEFAULT_FORMAT = "full"
FORMAT_VARIABLE = "RNN_DROPOUT_LINT_OUTPUT_FORMAT"  # as RUFF_OUTPUT_FORMAT: the default, if set


def default_format() -> str:
    import os

    chosen = os.environ.get(FORMAT_VARIABLE, "")
    return chosen if chosen in FORMATS else DEFAULT_FORMAT


def use_colour(stream: Any) -> bool:
    """Colour on a terminal only; NO_COLOR turns it off, FORCE_COLOR on (no-color.org, force-color.org)."""
    import os

    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "0") not in ("", "0"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


class _Paint:
    def __init__(self, on: bool) -> None:
        self.on = on

    def __call__(self, text: str, *codes: int) -> str:
        if not self.on or not text:
            return text
        return "\x1b[" + ";".join(map(str, codes)) + "m" + text + "\x1b[0m"


BOLD, RED, CYAN, BLUE = 1, 31, 36, 34
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def shown(path: str) -> str:
    """A file name as one line of plain text: newlines, ESC and other control characters
    escaped (``a\\nb.py``), so a name cannot break a line or drive the terminal."""
    return path if path.isprintable() else "".join(map(_shown_char, path))


def _shown_char(c: str) -> str:
    if c.isprintable():
        return c
    return _NAMED_ESCAPES.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}")


def _location(f: Finding) -> str:
    path = shown(f.path)
    if f.layer is not None:  # a saved model's layer: it has a name, not a line
        return f"{path}:layer '{f.layer}'"
    place = f"{path}:cell {f.cell}" if f.cell is not None else path
    return f"{place}:{f.row}:{f.col}"


def fixable(f: Finding, unsafe: bool = False) -> bool:
    """``--fix`` would fix it (with ``unsafe``: ``--fix --unsafe-fixes`` would)."""
    return f.fix is not None and (
        f.fix.applicability == "safe" or (unsafe and f.fix.applicability == "unsafe")
    )


def text_line(f: Finding, unsafe: bool = False, reason: bool = False) -> str:
    """``path:row:col: CODE message``, ending ``[*]`` where ``--fix`` would fix it, as ruff marks
    it; with ``reason``, why a finding has no fix (notebooks: ``path:cell N:row:col: ...``)."""
    return f"{_location(f)}: {f.code} {f.message}{_note(f, unsafe, reason, _Paint(False))}"


def concise_line(
    f: Finding,
    unsafe: bool = False,
    reason: bool = False,
    paint: _Paint | None = None,
    place: str | None = None,
) -> str:
    """``path:row:col: CODE what and where [*]``: the short message, no remedies."""
    paint = paint or _Paint(False)
    where = _location(f) if place is None else place
    note = _note(f, unsafe, reason, paint)
    return f"{paint(where, BOLD)}: {paint(f.code, BOLD, RED)} {f.short or f.message}{note}"


def _note(f: Finding, unsafe: bool, reason: bool, paint: _Paint) -> str:
    """What ends a one-line finding: its verification, then ``[*]`` or, asked, why no fix."""
    note = f" [{f.verification}]" if f.verification else ""
    if fixable(f, unsafe):
        return note + " " + paint("[*]", CYAN)
    why = not_fixed_because(f) if reason else None
    return note + f" (no fix: {why})" if why else note


def full_block(
    f: Finding,
    lines: Sequence[str] | None,
    unsafe: bool = False,
    paint: _Paint | None = None,
) -> str:
    """ruff's full format: what, where, the code with a caret under the call, then help."""
    paint = paint or _Paint(False)
    mark = " " + paint("[*]", CYAN) if fixable(f, unsafe) else ""
    out = [f"{paint(f.code, BOLD, RED)}{mark} {paint(f.short or f.message, BOLD)}"]
    out.append(f" {paint('-->', BLUE, BOLD)} {_location(f)}")
    if lines and f.layer is None and 1 <= f.row <= len(lines):
        first, last = max(1, f.row - 1), min(len(lines), f.row + 1)
        width = len(str(last))
        bar = paint(" " * width + " |", BLUE, BOLD)
        out.append(bar)
        for number in range(first, last + 1):
            text = lines[number - 1].rstrip("\r\n")
            out.append(f"{paint(str(number).rjust(width) + ' |', BLUE, BOLD)} {text}".rstrip())
            if number == f.row:
                end = f.end_col if f.end_row == f.row and f.end_col > f.col else len(text) + 1
                caret = " " * (f.col - 1) + "^" * max(1, end - f.col)
                out.append(f"{bar} {paint(caret, RED, BOLD)}")
        out.append(bar)
    if f.verification:
        out.append(f"{paint('note', BOLD)}: {f.verification}")
    out += [f"{paint('help', CYAN, BOLD)}: {line}" for line in f.help or ()]
    if fixable(f, unsafe) and f.fix is not None:
        out.append(f"{paint('fix', CYAN, BOLD)}: {f.fix.message}")
    elif not_fixed_because(f):  # the full format always says why
        out.append(f"{paint('no fix', BOLD)}: {not_fixed_because(f)}")
    return "\n".join(out) + "\n\n"


def source_lines(f: Finding, text: str | None = None) -> list[str] | None:
    """The lines of the file (or notebook cell) a finding is in, read again for the code frame;
    ``text``: the file's text when it is not on disk (standard input)."""
    import json
    from pathlib import Path

    try:
        text = Path(f.path).read_text(encoding="utf-8-sig", errors="replace") if text is None else text
    except OSError:
        return None
    if f.cell is None:
        return text.splitlines()
    try:
        source = json.loads(text)["cells"][f.cell - 1]["source"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return ("".join(source) if isinstance(source, list) else str(source)).splitlines()


def not_fixed_because(f: Finding) -> str | None:
    if f.no_fix is not None:
        return f.no_fix
    if f.fix is not None and f.fix.applicability == "display-only":
        return f.fix.message[0].lower() + f.fix.message[1:]
    if f.fix is not None and f.fix.applicability == "unsafe":
        return "the fix is unsafe; --unsafe-fixes applies it"
    return None


def fixable_summary(findings: Counter[str], unsafe: bool) -> str:
    """``[*] 2 fixable with --fix (1 more with --unsafe-fixes).``, or "" when nothing is."""
    safe, more = findings["safe"], findings["unsafe"]
    if unsafe:
        safe, more = safe + more, 0
    if safe:
        extra = f" ({more} more with --unsafe-fixes)" if more else ""
        return f"[*] {safe} fixable with --fix{extra}."
    return f"{more} fixable with --fix --unsafe-fixes." if more else ""


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
    if f.layer is not None:
        record["layer"] = f.layer
    if f.no_fix is not None:
        record["no_fix"] = f.no_fix
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

    def __init__(
        self,
        fmt: str,
        out: TextIO,
        unsafe: bool = False,
        reasons: bool = False,
        colour: bool = False,
        sources: Any = source_lines,
    ) -> None:
        self.fmt, self.out = fmt, out
        self.paint, self.sources = _Paint(colour), sources
        self._group: str | None = None  # the file whose findings the grouped format is listing
        self._lines: tuple[tuple[str, int | None], list[str] | None] = (("", None), None)
        self.unsafe, self.reasons = unsafe, reasons  # text: [*] for unsafe fixes too; "no fix: why"
        self.count = 0
        self.codes: Counter[str] = Counter()
        self.fixes: Counter[str] = Counter()  # applicability of the findings' fixes
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
            elif self.fmt == "grouped":  # ruff's: the file once, then its findings indented
                if self._group != f.path:
                    gap = "\n" if self._group is not None else ""
                    self.out.write(f"{gap}{self.paint(shown(f.path), BOLD)}:\n")
                    self._group = f.path
                place = _location(f)[len(shown(f.path)) + 1 :]  # row:col (cell N:row:col) without the path
                self.out.write("  " + concise_line(f, self.unsafe, self.reasons, self.paint, place) + "\n")
            elif self.fmt == "concise":
                self.out.write(concise_line(f, self.unsafe, self.reasons, self.paint) + "\n")
            elif self.fmt == "full":
                self.out.write(full_block(f, self._source(f), self.unsafe, self.paint))
            else:
                self.out.write(text_line(f, self.unsafe, self.reasons) + "\n")
            self.count += 1
            self.codes[f.code] += 1
            if f.fix is not None:
                self.fixes[f.fix.applicability] += 1

    def _source(self, f: Finding) -> list[str] | None:
        """The finding's lines; findings come file by file, so one file is kept at a time."""
        if self._lines[0] != (f.path, f.cell):
            self._lines = ((f.path, f.cell), self.sources(f))
        return self._lines[1]

    def close(self) -> None:
        if self.fmt in ("json", "sarif"):
            self.out.write(self._empty + "\n" if not self.count else self._closing + "\n")
        self.out.flush()


def render(findings: Sequence[Finding], fmt: str, unsafe: bool = False, reasons: bool = False) -> str:
    """The whole report for ``findings``; text ends with a newline when non-empty."""
    buffer = io.StringIO()
    report = Report(fmt, buffer, unsafe, reasons)
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
    where = f"layer '{f.layer}': " if f.layer is not None else where
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
    if f.layer is not None:  # a saved model: the layer, by name, is the place
        result["locations"][0]["logicalLocations"] = [{"name": f.layer, "kind": "member"}]
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
    return f"{shown(path)}: error: {reason}"


def cell_problem_line(path: str, problem: CellProblem) -> str:
    """``nb.ipynb:cell 5: error: syntax error ...``; a warning when the notebook excuses the cell."""
    if problem.excused:
        return f"{shown(path)}:cell {problem.cell}: warning: not analysed: {problem.reason} ({problem.why})"
    return f"{shown(path)}:cell {problem.cell}: error: {problem.reason}"


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
