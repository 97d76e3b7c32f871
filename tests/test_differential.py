"""Differential testing: static findings must equal the runtime checker's on generated programs.

``bench/differential.py`` generates Keras programs that build their models through many
Python mechanisms (helpers, factories, partials, loops, subclasses, nested models, ...);
the ground truth is the project's runtime checker on the model TensorFlow really builds.
A disagreement is a static miss or a static false positive. The failure message lists,
per failing program, its mechanism tags, the differing (line, code) and the program.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from .conftest import ROOT

pytest.importorskip("tensorflow", reason="the ground truth needs the runtime extra (TensorFlow)")
sys.path.insert(0, str(ROOT / "bench"))
import differential

# 2 x 20 programs: about a minute on 2 cores, TensorFlow imported once for the module.
SEEDS = (101, 102)
PER_SEED = 20


@pytest.fixture(scope="module")
def oracle() -> Iterator[differential.RuntimeOracle]:
    with differential.RuntimeOracle() as oracle:
        yield oracle


@pytest.fixture(scope="module")
def outcomes(oracle: differential.RuntimeOracle) -> list[differential.Outcome]:
    todo = [program for seed in SEEDS for program in differential.programs(seed, PER_SEED)]
    return [differential.evaluate(program, oracle) for program in todo]


def test_ground_truth_on_hand_checked_programs(oracle: differential.RuntimeOracle) -> None:
    # LSTM(return_sequences=True) -> Dropout -> LSTM is RDL001, Embedding -> Dropout -> GRU is RDL002, ...
    assert differential.sanity(oracle) == []


def test_programs_are_deterministic_and_build(outcomes: list[differential.Outcome]) -> None:
    for outcome in outcomes[:5]:
        program = outcome.program
        assert differential.generate(program.seed, program.index).source == program.source
    broken = [o for o in outcomes if o.error and o.error.startswith("the program does not build")]
    assert not broken, "\n\n".join(differential.describe(o) for o in broken)


def test_generated_programs_spread_over_outcomes(outcomes: list[differential.Outcome]) -> None:
    with_findings = [o for o in outcomes if o.runtime]
    assert 5 <= len(with_findings) <= len(outcomes) - 5
    codes = {code for o in outcomes for _, code in o.runtime}
    assert {"RDL001", "RDL002"} <= codes
    assert len({tag for o in outcomes for tag in o.program.tags}) >= 40


def test_static_findings_equal_runtime_findings(outcomes: list[differential.Outcome]) -> None:
    failing = [o for o in outcomes if not o.agrees]
    message = "\n\n".join(differential.describe(o) for o in failing)
    header = f"{len(failing)} of {len(outcomes)} generated programs disagree with the runtime checker:\n\n"
    assert not [o.program.name for o in failing], header + message
