"""What the rules produce: frozen, front-end independent results."""

from __future__ import annotations

from dataclasses import dataclass, field

from .graph import LayerNode


@dataclass(frozen=True)
class LayerRef:
    """A layer a finding mentions: its role in the finding, its kind and where it was built."""

    role: str  # "dropout", "source" (what feeds the dropout), "target" (the recurrent layer it feeds)
    kind: str
    row: int | None
    col: int | None
    path: str | None = None  # another file of the project it was built in; None: the finding's
    cell: int | None = None  # in a notebook, the cell the row is in


@dataclass(frozen=True)
class Edit:
    """Replace the text from (row, col) up to (end_row, end_col) with ``content``; 1-based."""

    content: str
    row: int
    col: int
    end_row: int
    end_col: int
    cell: int | None = None  # a notebook's cell (1-based among all cells) the rows are in


@dataclass(frozen=True)
class Fix:
    """A change that resolves a finding. Unsafe fixes apply only with ``--unsafe-fixes``;
    display-only fixes are never applied (a suggestion the linter cannot prove right)."""

    applicability: str  # "safe" | "unsafe" | "display-only"
    message: str
    edits: tuple[Edit, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One reported problem. Rows and columns are 1-based; the end is exclusive."""

    code: str
    message: str
    path: str
    row: int
    col: int
    end_row: int
    end_col: int
    certain: bool = True
    cell: int | None = None
    layers: tuple[LayerRef, ...] = ()
    fix: Fix | None = None
    # What the runtime checker saw: "confirmed: input (None, 100, 64)", "refuted: ...".
    verification: str | None = None
    # The graph node the finding is about, for fixers and the runtime cross-check.
    node: LayerNode | None = field(default=None, compare=False, repr=False)
    # In a notebook, where (row, col, end_row, end_col) lie in the .ipynb file's own text
    # (the JSON string of the cell's source), for SARIF and GitHub annotations.
    file_region: tuple[int, int, int, int] | None = None
    # A layer of a saved model (.keras, .h5): no source line to point at, so its name instead.
    layer: str | None = None
    # Why there is no fix to apply (an uncertain finding, a Python 2 file, ...); None when there is.
    no_fix: str | None = None
    # The concise form of the message (what and where) and the remedies, one per line, for the
    # concise and full text formats; ``message`` says it all in one line (JSON, SARIF, GitHub).
    short: str | None = None
    help: tuple[str, ...] = ()

    @property
    def sort_key(self) -> tuple[str, int, int, int, str]:
        return (self.path, self.cell or 0, self.row, self.col, self.code)

    def __str__(self) -> str:
        """The lint line: ``path:row:col: CODE message`` (what ``print(finding)`` shows)."""
        from .output import text_line

        return text_line(self)


@dataclass(frozen=True)
class CellProblem:
    """A notebook cell that could not be analysed; the notebook's other cells were.

    ``excused``: the notebook itself shows the cell was not meant to run (see notebook.py);
    it is reported as a warning and does not fail the run.
    """

    cell: int
    reason: str
    excused: bool = False
    why: str = ""  # what excuses it


@dataclass(frozen=True)
class FileResult:
    """The outcome for one file: its findings, or the one-line reason it could not be checked."""

    path: str
    findings: tuple[Finding, ...] = ()
    error: str | None = None
    problems: tuple[CellProblem, ...] = ()  # notebook cells that could not be analysed
