"""The shape every rule has: a code, its documentation and one ``check`` function."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..findings import Finding
from ..graph import LayerGraph

PROJECT_URL = "https://github.com/rnn-dropout-lint/rnn-dropout-lint"

# RDL001 and RDL002 share their fixes.
PER_STEP_FIX_SAFETY = """
Safe fix. The default style, `spatial`, turns `Dropout(r)` on a 3-D sequence into
`SpatialDropout1D(r)`, spelled the way the file spells Keras (`layers.Dropout` becomes
`layers.SpatialDropout1D`; a bare `Dropout` gets `SpatialDropout1D` added to its
`from ... import` line, which drops `Dropout` if nothing else uses it), and
`TimeDistributed(Dropout(r))` into `SpatialDropout1D(r)`. Where that does not fit
(ConvLSTM sequences, a module without `SpatialDropout1D`) and with
`--fix-style noise-shape`, it adds a rank-correct `noise_shape=(None, 1, None, ...)`.
Shapes and weights stay the same. `--fix-style merge` deletes the layer and passes its
rate as `dropout=` to the recurrent layer it feeds; that fix is unsafe (it changes the
model's layer list, and tf.keras 2.x's cuDNN path redraws that mask per step) and applies
only with `--unsafe-fixes`. `AlphaDropout` is only suggested: tf.keras 2.x's
`AlphaDropout` cannot fill `None` entries of a noise shape.
"""

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

    @property
    def url(self) -> str:
        """Where the rule is documented: its section of the README."""
        return f"{PROJECT_URL}#{self.code.lower()}-{self.name}"

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
