"""Property tests: grammar-generated programs and Keras model templates with a small oracle.

Bounded in CI; ``pytest --long`` runs many more examples.
"""

from __future__ import annotations

import ast
import contextlib
import random
import re
import sys

import hypothesmith
from hypothesis import given
from hypothesis import strategies as st

from rnn_dropout_lint.engine import LintError, Settings, analyze
from rnn_dropout_lint.fix.apply import fix_text
from rnn_dropout_lint.rules import RULES, Selection

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
import generate

EVERY = Settings(Selection(select=tuple(RULES)), report_uncertain=True, prefilter=False)
DROPOUTS = ("Dropout", "AlphaDropout")
PASS_THROUGH = (*generate.TRANSPARENT, *DROPOUTS, "SpatialDropout1D")


def oracle(model: generate.Model) -> set[tuple[int, str]]:
    """Expected (layer index, code) pairs, computed from the layer list alone."""
    layers = model.layers
    expected = set()
    for index, layer in enumerate(layers):
        if layer.kind not in DROPOUTS:
            continue
        before = next((x for x in reversed(layers[:index]) if x.kind not in PASS_THROUGH), None)
        after = next((x for x in layers[index + 1 :] if x.kind not in PASS_THROUGH), None)
        reaches = after is not None and after.kind in generate.RECURRENT
        from_sequence = before is not None and before.kind in generate.RECURRENT and before.return_sequences
        if layer.wrapper == "TimeDistributed" or layer.noise_shape is None:
            if reaches:
                expected.add((index, "RDL001" if from_sequence else "RDL002"))
            continue
        shape = ast.literal_eval(layer.noise_shape)
        # Timestep dropout ((None, T, 1): every feature entry 1) is deliberate.
        if reaches and shape[1] != 1 and any(entry != 1 for entry in shape[2:]):
            expected.add((index, "RDL003"))
        if (reaches or from_sequence) and isinstance(shape[0], int):
            expected.add((index, "RDL004"))
    return expected


def layer_rows(source: str) -> dict[int, int]:
    rows = {}
    for row, line in enumerate(source.splitlines(), start=1):
        match = re.search(r"# layer (\d+)$", line)
        if match:
            rows[int(match.group(1))] = row
    return rows


@given(st.integers(0, 2**32 - 1))
def test_template_findings_equal_the_oracle(seed: int) -> None:
    model = generate.generate_model(random.Random(seed))
    rows = layer_rows(model.source)
    expected = {(rows[index], code) for index, code in oracle(model)}
    found = {(f.row, f.code) for f in analyze(model.source, "m.py", EVERY).findings if f.code != "RDL901"}
    assert found == expected, (model.style, model.source)


@given(st.integers(0, 2**32 - 1), st.sampled_from(["spatial", "noise-shape", "merge"]))
def test_template_fixes_parse_are_idempotent_and_local(seed: int, style: str) -> None:
    model = generate.generate_model(random.Random(seed))
    settings = Settings(fix_style=style)
    fixed, _done, left = fix_text(model.source, "m.py", settings, unsafe=True)
    ast.parse(fixed)
    again, more, _ = fix_text(fixed, "m.py", settings, unsafe=True)
    assert again == fixed and not more
    assert all(f.fix is None or f.fix.applicability == "display-only" for f in left)
    if style != "merge":  # merge deletes lines; the fixture tests check it line by line
        imports = set()
        for node in ast.walk(ast.parse(model.source)):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imports.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
        pairs = zip(model.source.splitlines(), fixed.splitlines(), strict=True)
        for number, (old, new) in enumerate(pairs, start=1):
            if old != new:
                # Only lines that build a dropout layer, and import lines, may change.
                assert number in imports or re.search(r"(Dropout|TimeDistributed)\(", old), (old, new)


@given(hypothesmith.from_grammar())
def test_grammar_programs_never_crash_the_checker(program: str) -> None:
    for text in (program, "from keras.layers import *\n" + program):
        # A syntax libcst does not take is reported as a LintError, never as anything else.
        with contextlib.suppress(LintError):
            analyze(text, "g.py", EVERY)
