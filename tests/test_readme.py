"""The README stays true to the code: rule reference, quick start, CI command."""

from __future__ import annotations

import re

from rnn_dropout_lint.output import rule_reference
from rnn_dropout_lint.rules import RULES

from .conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_rule_reference_is_generated_from_the_registry() -> None:
    section = README.split("<!-- rules:start -->\n", 1)[1].split("<!-- rules:end -->", 1)[0]
    assert section == rule_reference(RULES.values())


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_second() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick, flags=re.DOTALL)
    assert len(commands) == 2
    assert "check examples/" in commands[0]
    assert commands[1] in (ROOT / ".ci" / "run").read_text()
