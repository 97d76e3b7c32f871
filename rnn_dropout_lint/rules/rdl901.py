"""RDL901 (opinionated): recurrent_dropout disables the cuDNN kernel."""

from __future__ import annotations

from collections.abc import Iterator

from ..facts import arg
from ..findings import Finding
from ..graph import UNKNOWN, LayerGraph, Tri
from ._report import finding
from ._rule import Rule


def check(graph: LayerGraph) -> Iterator[Finding]:
    for node in graph.nodes:
        if node.spec is None or not node.spec.cudnn_kernel or node.elsewhere:
            continue
        value = arg(node, "recurrent_dropout", 0)
        if value is UNKNOWN:
            certainty = Tri.UNKNOWN
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            certainty = Tri.YES
        else:
            continue
        written = node.text.get("recurrent_dropout", "...")
        hedge = "" if certainty is Tri.YES else "possibly "
        short = (
            f"{node.kind}(recurrent_dropout={written}) {hedge}keeps TensorFlow from using the cuDNN kernel"
        )
        why = "on GPU: about 25x slower training, tensorflow/tensorflow#38236"
        remedy = "drop recurrent_dropout, or accept the slower generic kernel"
        message = f"{short} on GPU (about 25x slower training, tensorflow/tensorflow#38236); {remedy}"
        yield finding(graph, RULE.code, node, message, certainty, short=short, help=(why, remedy))


RULE = Rule(
    code="RDL901",
    name="recurrent-dropout-disables-cudnn",
    summary="recurrent_dropout > 0 on LSTM/GRU makes TensorFlow skip the cuDNN kernel.",
    what_it_does="Flags `LSTM` and `GRU` layers with a `recurrent_dropout` greater than 0.",
    why_bad="""
TensorFlow runs LSTM and GRU on the fast cuDNN kernel only when their arguments meet
cuDNN's requirements; `recurrent_dropout > 0` is one that does not, so training on a
GPU falls back to the generic kernel (tensorflow/tensorflow#38236 measured about 25x
slower). The regularisation may be worth it: this rule is opinionated and off by
default.
""",
    example="layers.LSTM(128, recurrent_dropout=0.2)",
    use_instead="layers.LSTM(128, dropout=0.2)",
    fix_safety="No autofix: removing recurrent dropout changes how the model regularises.",
    check=check,
    opinionated=True,
)
