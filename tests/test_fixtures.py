"""Every fixture file states its expected findings on the offending lines.

``# RDL001`` expects a certain finding on that line, ``# RDL001?`` one reported only
with --report-uncertain. The set of findings must match exactly: a missing and an
unexpected finding both fail. A ``# rdl: extend-select=RDL901`` line enables more codes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rnn_dropout_lint import Selection, Settings, lint_file

from .conftest import FIXTURES

EXPECTED = re.compile(r"#\s*((?:RDL\d{3}\??)(?:\s+RDL\d{3}\??)*)\s*$")
DIRECTIVE = re.compile(r"^#\s*rdl:\s*extend-select=(\S+)", re.MULTILINE)
CASES = sorted(FIXTURES.glob("*.py"))


def expectations(path: Path) -> set[tuple[int, str, bool]]:
    expected = set()
    for row, line in enumerate(path.read_text().splitlines(), start=1):
        match = EXPECTED.search(line)
        if match:
            for token in match.group(1).split():
                expected.add((row, token.rstrip("?"), not token.endswith("?")))
    return expected


def settings_for(path: Path) -> Settings:
    extra = DIRECTIVE.findall(path.read_text())
    codes = [c for group in extra for c in group.split(",")]
    return Settings(selection=Selection.parse(extend_select=codes), report_uncertain=True)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fixture_findings_match_annotations(path: Path) -> None:
    result = lint_file(path, settings_for(path))
    assert result.error is None
    got = {(f.row, f.code, f.certain) for f in result.findings}
    expected = expectations(path)
    missing = sorted(expected - got)
    unexpected = sorted(got - expected)
    details = {(f.row, f.code): f.message for f in result.findings}
    assert not missing and not unexpected, f"missing={missing} unexpected={unexpected} messages={details}"


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_uncertain_findings_hidden_by_default(path: Path) -> None:
    settings = settings_for(path)
    quiet = Settings(selection=settings.selection)
    result = lint_file(path, quiet)
    assert {(f.row, f.code) for f in result.findings} == {
        (row, code) for row, code, certain in expectations(path) if certain
    }
    assert all("possibly" not in f.message for f in result.findings)


def test_prefilter_never_changes_findings() -> None:
    for path in CASES:
        settings = settings_for(path)
        full = Settings(settings.selection, report_uncertain=True, prefilter=False)
        assert lint_file(path, settings).findings == lint_file(path, full).findings
