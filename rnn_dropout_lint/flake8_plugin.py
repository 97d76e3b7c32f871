"""flake8 plugin: ``RDL`` codes through flake8 (``flake8 --select RDL``).

flake8 handles ``# noqa`` and ``--select``/``--ignore``; the plugin only keeps
opinionated RDL9xx codes off unless an entry of at least ``RDL9`` selects them,
as flake8-bugbear does for B9xx.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from ._version import __version__
from .keras_table import DEFAULT_TABLE, KerasTable, might_contain_finding
from .rules import PREFIX, RULES, Selection

LOG = logging.getLogger(__name__)

# A file flake8 reads but the analysis cannot: reported, never passed silently.
UNANALYSED = "RDL000"


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 300 else line[:297] + "..."


# flake8 filters by --select/--ignore itself; the plugin runs every rule.
_EVERY_RULE = Selection(select=tuple(RULES))


class Plugin:
    name = "rnn-dropout-lint"
    version = __version__
    report_uncertain: ClassVar[bool] = False
    follow_imports: ClassVar[bool] = True
    table: ClassVar[KerasTable] = DEFAULT_TABLE
    explicit: ClassVar[tuple[str, ...]] = ()

    def __init__(self, tree: Any, filename: str, lines: Sequence[str]) -> None:
        self.tree = tree  # flake8 parsed it already; positions reuse its line numbers
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, manager: Any) -> None:
        manager.add_option(
            "--rdl-report-uncertain",
            action="store_true",
            default=False,
            parse_from_config=True,
            help="rnn-dropout-lint: also report what the analysis cannot decide ('possibly').",
        )
        manager.add_option(
            "--rdl-no-follow-imports",
            action="store_true",
            default=False,
            parse_from_config=True,
            help="rnn-dropout-lint: analyse each file alone, without the project's other modules.",
        )

        for kind in ("recurrent", "transparent"):
            manager.add_option(
                f"--rdl-extra-{kind}-layers",
                default=[],
                comma_separated_list=True,
                parse_from_config=True,
                help=f"rnn-dropout-lint: qualified names of your own {kind} layers (mylib.layers.MyLayer).",
            )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        from .config import unqualified

        for kind in ("recurrent", "transparent"):
            problem = unqualified(getattr(options, f"rdl_extra_{kind}_layers"), f"rdl-extra-{kind}-layers")
            if problem:  # as the command line rejects it in [tool.rnn-dropout-lint]
                raise SystemExit(f"flake8: error: {problem}")
        cls.report_uncertain = bool(options.rdl_report_uncertain)
        cls.follow_imports = not options.rdl_no_follow_imports
        cls.table = DEFAULT_TABLE.extended(
            recurrent=options.rdl_extra_recurrent_layers, transparent=options.rdl_extra_transparent_layers
        )
        cls.explicit = tuple(
            code.strip().upper()
            for code in [*(options.select or ()), *(getattr(options, "extend_select", None) or ())]
            if code.strip()
        )

    @classmethod
    def _wanted(cls, code: str) -> bool:
        if not RULES[code].opinionated:
            return True
        return any(code.startswith(p) and len(p) > len(PREFIX) for p in cls.explicit)

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        source = "".join(self.lines)
        if not might_contain_finding(source.encode("utf-8", "surrogatepass"), self.table):
            return
        # The analysis (libcst, the interpreter) is imported by the first file that may hold a
        # finding: a run over code without Keras never pays for it.
        from .engine import LintError, Settings, internal_error, lint_source

        settings = Settings(
            _EVERY_RULE,
            self.report_uncertain,
            self.table,
            prefilter=False,  # done above
            noqa=False,
            follow_imports=self.follow_imports,
        )
        try:
            findings = lint_source(source, self.filename, settings, self.tree)
        except LintError as exc:
            # flake8 parsed the file (it reports its own syntax errors as E999), so CPython
            # reads it and we cannot (too deep, too big, 3,001 adjacent strings for libcst):
            # say so instead of passing it silently.
            yield 1, 0, f"{UNANALYSED} file not analysed: {_one_line(str(exc))}", type(self)
            return
        except Exception as exc:  # never take the whole flake8 run down
            LOG.debug("rnn-dropout-lint failed on %s", self.filename, exc_info=True)
            reason = _one_line(internal_error(exc))
            yield 1, 0, f"{UNANALYSED} file not analysed: {reason}", type(self)
            return
        for f in findings:
            if self._wanted(f.code):
                yield f.row, f.col - 1, f"{f.code} {f.message}", type(self)
