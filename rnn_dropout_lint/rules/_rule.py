"""The shape every rule has: a code, its documentation and one ``check`` function."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..findings import Finding
from ..graph import LayerGraph

DOC_SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety")


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    summary: str
    what_it_does: str
    why_bad: str
    example: str
    use_instead: str
    fix_safety: str
    check: Callable[[LayerGraph], Iterable[Finding]]
    # Opinionated rules (RDL9xx) run only when selected explicitly, like flake8-bugbear's B9xx.
    opinionated: bool = False

    def doc(self, level: int = 1) -> str:
        """The rule's documentation as Markdown, in ruff's section order."""
        top, sub = "#" * level, "#" * (level + 1)
        bodies = (
            self.what_it_does,
            self.why_bad,
            f"```python\n{self.example.strip()}\n```",
            f"```python\n{self.use_instead.strip()}\n```",
            self.fix_safety,
        )
        parts = [f"{top} {self.code} ({self.name})", "", self.summary]
        for title, body in zip(DOC_SECTIONS, bodies, strict=True):
            parts += ["", f"{sub} {title}", body.strip()]
        if self.opinionated:
            parts += ["", f"Off by default: enable it with `--extend-select {self.code}`."]
        return "\n".join(parts) + "\n"
