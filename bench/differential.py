"""Differential testing: the static analyzer against the truth of the real graph.

Each program is generated from ``(seed, index)`` alone: one chain of layers (an
input, recurrent layers, dropout variants, dense and convolution layers in
between), spelled through a random mix of the ways real code builds Keras
models: Sequential lists and ``model.add``, the functional API, subclassed models
and layers, helpers, factories, ``functools.partial``, lambdas, closures,
decorators, ``match``, dict lookups, list surgery, loops with index-dependent
``return_sequences``, nested models, residual wrappers, ... Every program defines
``build_model()``, whose model builds and runs on small inputs.

Ground truth: the model is built with real TensorFlow (Keras 3) and checked by the
project's runtime checker (the same recorder, tracing and rules as ``verify`` and
``check_model``). The static findings come from ``lint_source`` with default
settings. The two sets of ``(line, code)`` must be equal; the difference is a static
miss (only the runtime finds it) or a static false positive.

    python bench/differential.py                     # 50 programs, seed 0, one process
    python bench/differential.py --count 300 --seed 7 --keep /tmp/failing -v
    python bench/differential.py --long --jobs 2     # 2,000 programs over 2 processes
    python bench/differential.py --focus partial     # programs that use one mechanism only
    python bench/differential.py --focus helper-class+spatial   # two mechanisms together
    python bench/differential.py --focus-all --count 8 --examples   # each mechanism alone
    python bench/differential.py --sanity            # the ground truth on hand-checked programs
    python bench/differential.py --list-tags

The summary counts programs per mechanism tag. In a mixed run a program carries many
tags, so one mechanism the static analyzer does not follow drags down every tag it
appears with; ``--focus`` keeps everything else at the plain baseline (a direct
``layers.LSTM(...)`` call in a ``Sequential`` list) to see a mechanism alone. The exit
status is 1 when any program disagrees or fails to build.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import sys
import tempfile
import time
import types
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_COUNT = 50
LONG_COUNT = 2000

RECURRENT = ("LSTM", "GRU", "SimpleRNN")
DROPOUTS = ("Dropout", "SpatialDropout1D", "AlphaDropout")
FILLERS = ("Dense", "Conv1D", "BatchNormalization", "LayerNormalization", "Activation", "GaussianNoise")
ALL_KINDS = RECURRENT + DROPOUTS + FILLERS
# The key of each kind in the generated registries (dicts, match statements, helper names).
KEY = {
    "LSTM": "lstm",
    "GRU": "gru",
    "SimpleRNN": "rnn",
    "Dropout": "dropout",
    "SpatialDropout1D": "spatial",
    "AlphaDropout": "alpha",
    "Dense": "dense",
    "Conv1D": "conv",
    "BatchNormalization": "batchnorm",
    "LayerNormalization": "layernorm",
    "Activation": "activation",
    "GaussianNoise": "noise",
}
# The name of the first positional argument, where the kind has one.
PRIMARY = {
    "LSTM": "units",
    "GRU": "units",
    "SimpleRNN": "units",
    "Dense": "units",
    "Conv1D": "filters",
    "Dropout": "rate",
    "SpatialDropout1D": "rate",
    "AlphaDropout": "rate",
    "Activation": "activation",
    "GaussianNoise": "stddev",
}
TIME_STEPS, FEATURES, VOCABULARY = 6, 8, 20
RATES = (0.1, 0.2, 0.25, 0.3, 0.5)
UNITS = (4, 6, 8)

# Choices that are the plain way of doing things: not tagged as mechanisms.
BASELINES = ("direct", "plain", "chain", "iterate")
# A mechanism that only exists inside another: --focus on it turns the other on too.
REQUIRES: dict[str, set[str]] = {
    "reduce": {"functional"},
    "bound-layer": {"functional"},
    "nested-call": {"functional"},
    "training-arg": {"subclass-model"},
    "iadd": {"subclass-inherit"},
    "defaults": {"helper-layer", "helper-list"},
    "layer-classes": {"comprehension"},
    "seq-build": {"seq-list"},
    "rs-lt": {"range-loop"},
    "rs-ne": {"range-loop"},
    "rs-ternary": {"range-loop"},
    "rs-lt-len": {"enumerate-loop"},
    "rs-ne-len": {"enumerate-loop"},
    "layer-inherit": {"custom-layer"},
}


# -- values and layers --------------------------------------------------------------------------------


class _Unknown:
    """A value only known when the generated program runs (a loop variable, a parameter)."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


@dataclass(frozen=True)
class Arg:
    """An argument as written in the program, and its value where the generator knows it."""

    src: str
    value: Any = UNKNOWN

    @property
    def known(self) -> bool:
        return self.value is not UNKNOWN


def lit(value: Any) -> Arg:
    return Arg(f'"{value}"' if isinstance(value, str) else repr(value), value)


@dataclass(frozen=True)
class Spec:
    """One layer: its Keras class, first positional argument, keywords and wrapper."""

    kind: str
    primary: Arg | None = None
    kws: tuple[tuple[str, Arg], ...] = ()
    wrapper: str | None = None  # "Bidirectional" or "TimeDistributed"

    def kw(self, name: str) -> Arg | None:
        return next((arg for key, arg in self.kws if key == name), None)

    def replace_kw(self, name: str, arg: Arg) -> Spec:
        kws = [(key, value) for key, value in self.kws if key != name]
        return dataclasses.replace(self, kws=(*kws, (name, arg)))


def advance(spec: Spec, features: int) -> tuple[int, bool]:
    """Feature size after the layer, and whether its output is still a sequence."""
    if spec.kind in RECURRENT:
        assert spec.primary is not None
        seq = spec.kw("return_sequences")
        width = spec.primary.value * (2 if spec.wrapper == "Bidirectional" else 1)
        return width, bool(seq.value) if seq is not None else False
    if spec.kind in ("Dense", "Conv1D"):
        assert spec.primary is not None
        return spec.primary.value, True
    return features, True


# -- the generation context ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportStyle:
    tag: str
    header: str
    layers: str  # prefix of a layer class: "layers." or "" after from-imports
    module: str  # an expression for the layers module, for getattr
    keras: str  # prefix of Sequential, Model, Input


LAYER_NAMES = (
    "LSTM, GRU, SimpleRNN, Bidirectional, TimeDistributed, Dropout, SpatialDropout1D, AlphaDropout,\n"
    "    Dense, Conv1D, Embedding, BatchNormalization, LayerNormalization, Activation, GaussianNoise, Layer"
)
IMPORT_STYLES = (
    ImportStyle(
        "import-tf-keras",
        "from tensorflow import keras\nfrom tensorflow.keras import layers\n",
        "layers.",
        "layers",
        "keras.",
    ),
    ImportStyle("import-keras", "import keras\nfrom keras import layers\n", "layers.", "layers", "keras."),
    ImportStyle(
        "import-tf-dotted", "import tensorflow as tf\n", "tf.keras.layers.", "tf.keras.layers", "tf.keras."
    ),
    ImportStyle("import-alias", "import keras\nfrom keras import layers as L\n", "L.", "L", "keras."),
    ImportStyle(
        "import-names",
        f"import keras\nfrom keras.layers import (\n    {LAYER_NAMES},\n)\n",
        "",
        "keras.layers",
        "keras.",
    ),
)


class Block:
    """Lines of code at one indentation level (deeper lines carry their own indent)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def emit(self, text: str, depth: int = 0) -> None:
        self.lines.extend(("    " * depth + line) if line else "" for line in text.splitlines())

    def extend(self, other: Block, depth: int = 0) -> None:
        self.lines.extend(("    " * depth + line) if line else "" for line in other.lines)

    def text(self, depth: int) -> str:
        return "".join(("    " * depth + line if line else "") + "\n" for line in self.lines)


class Gen:
    """Random choices, mechanism tags, names and module-level helpers of one program."""

    def __init__(self, seed: int, index: int, focus: str | None) -> None:
        self.rng = random.Random(f"rnn-dropout-lint differential {seed} {index} {focus}")
        self.focus = focus
        # "a+b" focuses on two mechanisms together (interactions).
        parts = focus.split("+") if focus else []
        self.wanted = {tag for part in parts for tag in (part, *REQUIRES.get(part, ()))}
        self.tags: set[str] = set()
        self.helpers: dict[str, str] = {}
        self.modules: set[str] = set()
        self.names: dict[str, int] = {}
        self.defaults: dict[str, Any] = {}
        self.style = IMPORT_STYLES[0]

    @property
    def L(self) -> str:
        return self.style.layers

    @property
    def K(self) -> str:
        return self.style.keras

    def chance(self, tag: str, p: float) -> bool:
        """Use ``tag`` with probability p; with --focus, exactly when it is the focus."""
        hit = tag in self.wanted if self.focus else self.rng.random() < p
        if hit:
            self.tags.add(tag)
        return hit

    def choose(self, options: Sequence[tuple[str, float]]) -> str:
        """A weighted choice; the first option is the baseline a focused program falls back to."""
        if self.focus:
            choice = next((name for name, _ in options if name in self.wanted), options[0][0])
        else:
            choice = self.rng.choices([n for n, _ in options], [w for _, w in options])[0]
        if choice not in BASELINES:
            self.tags.add(choice)
        return choice

    def pick(self, values: Sequence[Any]) -> Any:
        return self.rng.choice(list(values))

    def fresh(self, base: str) -> str:
        count = self.names.get(base, 0) + 1
        self.names[base] = count
        return base if count == 1 else f"{base}_{count}"

    def helper(self, name: str, make: Callable[[], str]) -> str:
        """A module-level definition, written once; ``make`` may add the helpers it needs first."""
        if name not in self.helpers:
            code = make()
            self.helpers[name] = code
        return name

    def default(self, name: str, make: Callable[[], Any]) -> Any:
        if name not in self.defaults:
            self.defaults[name] = make()
        return self.defaults[name]


# -- spelling one layer --------------------------------------------------------------------------------


def call_args(kind: str, primary: Arg | None, kws: Sequence[tuple[str, Arg]], by_name: bool = False) -> str:
    parts = []
    if primary is not None:
        parts.append(f"{PRIMARY[kind]}={primary.src}" if by_name else primary.src)
    parts.extend(f"{key}={arg.src}" for key, arg in kws)
    return ", ".join(parts)


def dict_display(pairs: Iterable[tuple[str, str]]) -> str:
    """``{"key": value, ...}`` from keys and value sources."""
    return "{" + ", ".join(f'"{key}": {value}' for key, value in pairs) + "}"


def kw_text(kws: Sequence[tuple[str, Arg]]) -> str:
    return ", ".join(f"{key}={arg.src}" for key, arg in kws)


def _effective(kind: str, primary: Arg | None, kws: Sequence[tuple[str, Arg]]) -> list[tuple[str, Arg]]:
    """Every argument by name, return_sequences made explicit for recurrent layers."""
    args = [(PRIMARY[kind], primary)] if primary is not None else []
    args.extend(kws)
    if kind in RECURRENT and not any(key == "return_sequences" for key, _ in kws):
        args.append(("return_sequences", lit(False)))
    return args


Speller = Callable[["Gen", str, "Arg | None", "tuple[tuple[str, Arg], ...]", Block], str]


def _direct(gen: Gen, kind: str, primary: Arg | None, kws: tuple[tuple[str, Arg], ...], setup: Block) -> str:
    by_name = primary is not None and gen.rng.random() < 0.2
    return f"{gen.L}{kind}({call_args(kind, primary, kws, by_name)})"


def _getattr(gen: Gen, kind: str, primary: Arg | None, kws: tuple[tuple[str, Arg], ...], setup: Block) -> str:
    return f'getattr({gen.style.module}, "{kind}")({call_args(kind, primary, kws)})'


def _registry(gen: Gen) -> str:
    def make() -> str:
        rows = "".join(f'    "{KEY[kind]}": {gen.L}{kind},\n' for kind in ALL_KINDS)
        return f"LAYER_TYPES = {{\n{rows}}}\n"

    return gen.helper("LAYER_TYPES", make)


def _dict_lookup(
    gen: Gen, kind: str, primary: Arg | None, kws: tuple[tuple[str, Arg], ...], setup: Block
) -> str:
    args = call_args(kind, primary, kws)
    if gen.rng.random() < 0.5:
        return f'{_registry(gen)}["{KEY[kind]}"]({args})'
    family = RECURRENT if kind in RECURRENT else DROPOUTS if kind in DROPOUTS else ALL_KINDS
    other = gen.pick([k for k in family if k != kind])
    pairs = [(kind, other)] if gen.rng.random() < 0.5 else [(other, kind)]
    table = ", ".join(f'"{KEY[k]}": {gen.L}{k}' for pair in pairs for k in pair)
    variable = gen.fresh(f"{KEY[kind]}_kind")
    setup.emit(f'{variable} = "{KEY[kind]}"')
    return f"{{{table}}}[{variable}]({args})"


def rnn_class_helper(gen: Gen) -> str:
    def make() -> str:
        return (
            "def rnn_class(kind):\n"
            '    """The recurrent layer class for a config name."""\n'
            '    if kind == "gru":\n'
            f"        return {gen.L}GRU\n"
            '    if kind == "rnn":\n'
            f"        return {gen.L}SimpleRNN\n"
            f"    return {gen.L}LSTM\n"
        )

    return gen.helper("rnn_class", make)


def _helper_class(
    gen: Gen, kind: str, primary: Arg | None, kws: tuple[tuple[str, Arg], ...], setup: Block
) -> str:
    args = call_args(kind, primary, kws)
    if kind in RECURRENT:
        return f'{rnn_class_helper(gen)}("{KEY[kind]}")({args})'

    def make_dropout() -> str:
        return (
            'def dropout_class(kind="plain"):\n'
            '    if kind == "spatial":\n'
            f"        return {gen.L}SpatialDropout1D\n"
            '    elif kind == "alpha":\n'
            f"        return {gen.L}AlphaDropout\n"
            f"    return {gen.L}Dropout\n"
        )

    name = gen.helper("dropout_class", make_dropout)
    key = {"Dropout": "plain", "SpatialDropout1D": "spatial", "AlphaDropout": "alpha"}[kind]
    chosen = "" if key == "plain" and gen.rng.random() < 0.5 else f'"{key}"'
    return f"{name}({chosen})({args})"


def _helper_layer(
    gen: Gen, kind: str, primary: Arg | None, kws: tuple[tuple[str, Arg], ...], setup: Block
) -> str:
    """A builder per kind with parameter defaults; calls leave out arguments equal to them."""
    assert primary is not None
    name = f"{KEY[kind]}_layer"
    parts: list[str] = []
    if kind in RECURRENT:
        default_seq = gen.default(name, lambda: gen.rng.random() < 0.5)
        gen.helper(
            name,
            lambda: (
                f"def {name}(units, return_sequences={default_seq}, **kwargs):\n"
                f"    return {gen.L}{kind}(units, return_sequences=return_sequences, **kwargs)\n"
            ),
        )
        parts.append(primary.src)
        seq = dict(kws).get("return_sequences", lit(False))
        if not (seq.known and seq.value == default_seq and gen.chance("defaults", 0.6)):
            parts.append(f"return_sequences={seq.src}")
        parts.extend(f"{key}={arg.src}" for key, arg in kws if key != "return_sequences")
        return f"{name}({', '.join(parts)})"
    noise = kind != "SpatialDropout1D"

    def make() -> str:
        if noise:
            return (
                f"def {name}(rate=0.2, noise_shape=None):\n"
                f"    return {gen.L}{kind}(rate, noise_shape=noise_shape)\n"
            )
        return f"def {name}(rate=0.2):\n    return {gen.L}{kind}(rate)\n"

    gen.helper(name, make)
    if not (primary.known and primary.value == 0.2 and gen.chance("defaults", 0.6)):
        parts.append(primary.src if gen.rng.random() < 0.5 else f"rate={primary.src}")
    parts.extend(f"{key}={arg.src}" for key, arg in kws)
    return f"{name}({', '.join(parts)})"


def _factory_helper(gen: Gen) -> str:
    return gen.helper(
        "layer_factory",
        lambda: (
            "def layer_factory(cls, **defaults):\n"
            '    """A builder of ``cls`` layers with these keyword defaults."""\n'
            "\n"
            "    def build(*args, **kwargs):\n"
            "        return cls(*args, **{**defaults, **kwargs})\n"
            "\n"
            "    return build\n"
        ),
    )


def _factory(gen: Gen, kind: str, primary: Arg | None, kws: tuple[tuple[str, Arg], ...], setup: Block) -> str:
    known = [(k, a) for k, a in kws if a.known]
    unknown = tuple((k, a) for k, a in kws if not a.known)
    variable = gen.fresh(f"make_{KEY[kind]}")
    bound = f", {kw_text(known)}" if known else ""
    setup.emit(f"{variable} = {_factory_helper(gen)}({gen.L}{kind}{bound})")
    return f"{variable}({call_args(kind, primary, unknown)})"


def _partial(gen: Gen, kind: str, primary: Arg | None, kws: tuple[tuple[str, Arg], ...], setup: Block) -> str:
    gen.modules.add("functools")
    known = [(k, a) for k, a in kws if a.known]
    unknown = tuple((k, a) for k, a in kws if not a.known)
    if primary is not None and gen.rng.random() < 0.3:
        # Bind the first argument, pass the keywords to the partial object.
        return f"functools.partial({gen.L}{kind}, {primary.src})({kw_text(kws)})"
    variable = gen.fresh(f"{KEY[kind]}_partial")
    bound = f", {kw_text(known)}" if known else ""
    setup.emit(f"{variable} = functools.partial({gen.L}{kind}{bound})")
    return f"{variable}({call_args(kind, primary, unknown)})"


def _lambda(gen: Gen, kind: str, primary: Arg | None, kws: tuple[tuple[str, Arg], ...], setup: Block) -> str:
    params = ([PRIMARY[kind]] if primary is not None else []) + [key for key, _ in kws]
    body = ", ".join(([PRIMARY[kind]] if primary is not None else []) + [f"{key}={key}" for key, _ in kws])
    variable = gen.fresh(f"new_{KEY[kind]}")
    setup.emit(
        f"{variable} = lambda {', '.join(params)}: {gen.L}{kind}({body})".replace("lambda :", "lambda:")
    )
    values = ([primary.src] if primary is not None else []) + [arg.src for _, arg in kws]
    return f"{variable}({', '.join(values)})"


def _closure(gen: Gen, kind: str, primary: Arg | None, kws: tuple[tuple[str, Arg], ...], setup: Block) -> str:
    """A nested builder that captures the known arguments from the enclosing function."""
    named = [*([(PRIMARY[kind], primary)] if primary is not None else []), *kws]
    captured, params, body, values = [], [], [], []
    for position, (key, arg) in enumerate(named):
        if arg.known:
            variable = gen.fresh(f"{KEY[kind]}_{key}")
            captured.append(f"{variable} = {arg.src}")
            value = variable
        else:
            params.append(key)
            values.append(arg.src)
            value = key
        body.append(value if position == 0 and primary is not None else f"{key}={value}")
    function = gen.fresh(f"local_{KEY[kind]}")
    for line in captured:
        setup.emit(line)
    setup.emit(f"\ndef {function}({', '.join(params)}):\n    return {gen.L}{kind}({', '.join(body)})\n")
    return f"{function}({', '.join(values)})"


def _decorator(
    gen: Gen, kind: str, primary: Arg | None, kws: tuple[tuple[str, Arg], ...], setup: Block
) -> str:
    args = call_args(kind, primary, kws)
    first = f"{PRIMARY[kind]}, " if primary is not None else ""
    forward = f"{PRIMARY[kind]}, **kwargs" if primary is not None else "**kwargs"
    if gen.rng.random() < 0.5:
        gen.modules.add("functools")

        def make_logged() -> str:
            return (
                "def logged(fn):\n"
                '    """Wraps a layer builder; the layer it returns is unchanged."""\n'
                "\n"
                "    @functools.wraps(fn)\n"
                "    def wrapper(*args, **kwargs):\n"
                "        layer = fn(*args, **kwargs)\n"
                "        return layer\n"
                "\n"
                "    return wrapper\n"
            )

        name = f"decorated_{KEY[kind]}"

        def make() -> str:
            gen.helper("logged", make_logged)
            return f"@logged\ndef {name}({first}**kwargs):\n    return {gen.L}{kind}({forward})\n"

        return f"{gen.helper(name, make)}({args})"

    def make_registry() -> str:
        return (
            "BUILDERS = {}\n"
            "\n"
            "\n"
            "def register(name):\n"
            "    def decorate(fn):\n"
            "        BUILDERS[name] = fn\n"
            "        return fn\n"
            "\n"
            "    return decorate\n"
        )

    name = f"registered_{KEY[kind]}"

    def make_registered() -> str:
        gen.helper("BUILDERS", make_registry)
        return (
            f'@register("{KEY[kind]}")\ndef {name}({first}**kwargs):\n    return {gen.L}{kind}({forward})\n'
        )

    gen.helper(name, make_registered)
    return f'BUILDERS["{KEY[kind]}"]({args})'


def _kwargs_forward(
    gen: Gen, kind: str, primary: Arg | None, kws: tuple[tuple[str, Arg], ...], setup: Block
) -> str:
    name = gen.helper(
        "make_layer",
        lambda: "def make_layer(cls, *args, **kwargs):\n    return cls(*args, **kwargs)\n",
    )
    args = call_args(kind, primary, kws)
    return f"{name}({gen.L}{kind}{', ' + args if args else ''})"


def _dict_merge(
    gen: Gen, kind: str, primary: Arg | None, kws: tuple[tuple[str, Arg], ...], setup: Block
) -> str:
    """``Kind(**dict(BASE, key=value))`` or ``Kind(**dict(BASE, **overrides))``."""
    base_name = f"{KEY[kind].upper()}_DEFAULTS"

    def base_values() -> list[tuple[str, Any]]:
        values: list[tuple[str, Any]] = [(PRIMARY[kind], 0.2 if kind in DROPOUTS else 8)]
        if kind in RECURRENT:
            values.append(("return_sequences", gen.rng.random() < 0.5))
        if kind == "Conv1D":
            values += [("kernel_size", 3), ("padding", "same")]
        return values

    base = dict(gen.default(base_name, base_values))
    gen.helper(
        base_name,
        lambda: f"{base_name} = {dict_display((k, lit(v).src) for k, v in base.items())}\n",
    )
    overrides = [
        (key, arg)
        for key, arg in _effective(kind, primary, kws)
        if not (arg.known and key in base and base[key] == arg.value)
    ]
    known = [(k, a) for k, a in overrides if a.known]
    unknown = [(k, a) for k, a in overrides if not a.known]
    if known and gen.rng.random() < 0.4:
        variable = gen.fresh(f"{KEY[kind]}_overrides")
        setup.emit(f"{variable} = {dict_display((k, a.src) for k, a in known)}")
        merged = ", ".join([base_name, *(f"{k}={a.src}" for k, a in unknown), f"**{variable}"])
    else:
        merged = ", ".join([base_name, *(f"{k}={a.src}" for k, a in overrides)])
    return f"{gen.L}{kind}(**dict({merged}))"


def match_helper(gen: Gen) -> str:
    def make() -> str:
        cases = []
        for each in ALL_KINDS:
            inner = "size, **kwargs" if each in PRIMARY else "**kwargs"
            cases.append(f'        case "{KEY[each]}":\n            return {gen.L}{each}({inner})\n')
        return (
            "def build_layer(kind, size=None, **kwargs):\n"
            "    match kind:\n"
            + "".join(cases)
            + "        case _:\n"
            + '            raise ValueError(f"unknown layer kind {kind!r}")\n'
        )

    return gen.helper("build_layer", make)


def _match(gen: Gen, kind: str, primary: Arg | None, kws: tuple[tuple[str, Arg], ...], setup: Block) -> str:
    args = call_args(kind, primary, kws)
    return f'{match_helper(gen)}("{KEY[kind]}"{", " + args if args else ""})'


SPELLERS: dict[str, Speller] = {
    "direct": _direct,
    "getattr": _getattr,
    "dict-lookup": _dict_lookup,
    "helper-class": _helper_class,
    "helper-layer": _helper_layer,
    "factory": _factory,
    "partial": _partial,
    "lambda": _lambda,
    "closure": _closure,
    "decorator": _decorator,
    "kwargs-forward": _kwargs_forward,
    "dict-merge": _dict_merge,
    "match": _match,
}


def spell(gen: Gen, spec: Spec, setup: Block) -> str:
    """An expression that builds the layer; statements it needs go to ``setup``."""
    options = [("direct", 9.0)] + [(name, 0.5) for name in SPELLERS if name != "direct"]
    if spec.kind not in RECURRENT + DROPOUTS:
        options = [o for o in options if o[0] not in ("helper-class", "helper-layer")]
    if spec.primary is None:
        options = [o for o in options if o[0] != "dict-merge"]
    mechanism = gen.choose(options)
    text = SPELLERS[mechanism](gen, spec.kind, spec.primary, spec.kws, setup)
    return f"{gen.L}{spec.wrapper}({text})" if spec.wrapper else text


# -- the layers of a chain -----------------------------------------------------------------------------

RS_TAGS = ("rs-lt", "rs-ne", "rs-ternary", "rs-lt-len", "rs-ne-len")
FILLER_TAGS = ("dense", "conv1d", "transparent")
LIST_MECHANISMS = (
    "list-literal",
    "tuple",
    "concat",
    "star",
    "slice",
    "append",
    "extend",
    "insert",
    "pop",
    "helper-list",
    "comprehension",
    "layer-classes",
    "dict-of-layers",
    "nested-comprehension",
    "reduce",
    "defaults",
)


def recurrent_spec(gen: Gen, sequence: bool, units: int | None = None, bidirectional: bool = True) -> Spec:
    kind = "GRU" if gen.chance("gru", 0.25) else "SimpleRNN" if gen.chance("simplernn", 0.15) else "LSTM"
    size = lit(units if units is not None else gen.pick(UNITS))
    if sequence:
        kws: tuple[tuple[str, Arg], ...] = (("return_sequences", lit(True)),)
    else:
        kws = (("return_sequences", lit(False)),) if gen.rng.random() < 0.3 else ()
    wrapper = "Bidirectional" if bidirectional and gen.chance("bidirectional", 0.1) else None
    return Spec(kind, size, kws, wrapper)


NOISE_SHAPES: tuple[tuple[str, Callable[[int | None], Any]], ...] = (
    ("noise-shared", lambda f: (None, 1, None)),
    ("noise-timestep", lambda f: (None, None, 1)),
    ("noise-features", lambda f: (None, None, f)),
    ("noise-batch", lambda f: (4, 1, None)),
    ("noise-batch", lambda f: (4, None, None)),
)


def dropout_spec(gen: Gen, features: int | None, rate: Arg | None = None, flat: bool = False) -> Spec:
    """A dropout-family layer; ``features`` is None inside loops, where it changes per step.

    ``flat``: the layer may see a 2-D tensor (inside TimeDistributed, or after the last
    recurrent layer of a loop), so only plain dropout fits.
    """
    rate = rate or lit(gen.pick(RATES))
    if flat:
        return Spec("AlphaDropout" if gen.chance("alpha", 0.05) else "Dropout", rate)
    if gen.chance("td-dropout", 0.07):
        return Spec("Dropout", rate, wrapper="TimeDistributed")
    if gen.chance("spatial", 0.08):
        return Spec("SpatialDropout1D", rate)
    kind = "AlphaDropout" if gen.chance("alpha", 0.05) else "Dropout"
    shapes = [(tag, make) for tag, make in NOISE_SHAPES if features is not None or tag != "noise-features"]
    options = [("plain", 6.0)] + [(tag, 0.5) for tag, _ in shapes]
    chosen = gen.choose(options)
    if chosen == "plain":
        return Spec(kind, rate)
    shape = gen.pick([make for tag, make in shapes if tag == chosen])(features)
    value = list(shape) if gen.rng.random() < 0.2 else shape
    return Spec(kind, rate, (("noise_shape", lit(value)),))


def filler_spec(gen: Gen, features: int) -> Spec:
    """A layer between recurrent and dropout layers: Dense or Conv1D breaks the chain, the rest not."""
    if gen.focus and not gen.wanted & set(FILLER_TAGS):
        return dropout_spec(gen, features)
    chosen = gen.choose([("transparent", 1.2), ("dense", 1.0), ("conv1d", 0.6)])
    if chosen == "dense":
        return Spec("Dense", lit(gen.pick((4, 8))))
    if chosen == "conv1d":
        return Spec("Conv1D", lit(gen.pick((4, 8))), (("kernel_size", lit(3)), ("padding", lit("same"))))
    kind = gen.pick(("BatchNormalization", "LayerNormalization", "Activation", "GaussianNoise"))
    primary = {"Activation": lit("tanh"), "GaussianNoise": lit(0.1)}.get(kind)
    return Spec(kind, primary)


def chain_specs(gen: Gen, features: int, length: int, closing: bool) -> list[Spec]:
    specs = []
    if gen.focus:
        # A focused program stays small but always puts a dropout layer next to a recurrent one.
        fillers = bool(gen.wanted & set(FILLER_TAGS))
        shape = gen.pick(("rfd", "rdf", "fdr") if fillers else ("rd", "dr", "rdr"))
    else:
        shape = "".join(gen.pick("rrrrrrrdddddddddffffff") for _ in range(length))
    for letter in shape:
        if letter == "r":
            spec = recurrent_spec(gen, True)
        elif letter == "d":
            spec = dropout_spec(gen, features)
        else:
            spec = filler_spec(gen, features)
        features, _ = advance(spec, features)
        specs.append(spec)
    if closing:
        specs.append(recurrent_spec(gen, False))
    return specs


def run_specs(specs: Sequence[Spec], features: int) -> tuple[int, bool]:
    sequence = True
    for spec in specs:
        features, sequence = advance(spec, features)
    return features, sequence


# -- segments: consecutive layers of the chain, each built one way -------------------------------------


def bracket(items: Sequence[str], open_: str = "[", close: str = "]") -> str:
    """A list or tuple display, on one line when it is short."""
    if open_ == "(" and len(items) == 1:
        return f"({items[0]},)"
    one_line = open_ + ", ".join(items) + close
    if len(one_line) <= 72 and "\n" not in one_line:
        return one_line
    inner = "".join(f"    {item},\n" for item in items)
    return f"{open_}\n{inner}{close}"


@dataclass(frozen=True)
class Sink:
    """Where a layer expression goes: a list, a Sequential model, or a functional call."""

    mode: str  # append | extend | iadd | add | call
    target: str

    def lines(self, exprs: Sequence[str]) -> str:
        if self.mode == "extend":
            return f"{self.target}.extend({bracket(exprs)})"
        if self.mode == "iadd":
            return f"{self.target} += {bracket(exprs)}"
        if self.mode == "add":
            return "\n".join(f"{self.target}.add({e})" for e in exprs)
        if self.mode == "call":
            return "\n".join(f"{self.target} = {e}({self.target})" for e in exprs)
        return "\n".join(f"{self.target}.append({e})" for e in exprs)


class Segment:
    features: int  # feature size after the segment
    sequence: bool  # whether the output is still a sequence

    def items(self, gen: Gen, setup: Block) -> list[str] | None:
        """Expressions of single layers, or None when the segment needs code to build."""
        return None

    def as_list(self, gen: Gen, setup: Block) -> str:
        """An expression for a list of the segment's layers; its statements go to ``setup``."""
        items = self.items(gen, setup)
        assert items is not None, "a segment without items must build its own list"
        variable = gen.fresh("stack")
        setup.emit(f"{variable} = {bracket(items)}")
        return variable

    def loop(self, gen: Gen, setup: Block, sink: Sink) -> bool:
        """Loops place their layers straight through a sink; False for everything else."""
        return False


def wants_list(gen: Gen) -> bool:
    if gen.focus:
        return bool(gen.wanted & set(LIST_MECHANISMS))
    return gen.rng.random() < 0.4


@dataclass
class Chain(Segment):
    specs: list[Spec]
    features: int
    sequence: bool

    def items(self, gen: Gen, setup: Block) -> list[str] | None:
        return [spell(gen, spec, setup) for spec in self.specs]

    def as_list(self, gen: Gen, setup: Block) -> str:
        count = len(self.specs)
        options = [("list-literal", 3.0), ("tuple", 0.7), ("slice", 0.7), ("append", 1.0), ("pop", 0.7)]
        options += [("helper-list", 1.0), ("dict-of-layers", 0.6)]
        if count >= 2:
            options += [("concat", 0.7), ("star", 0.7), ("extend", 0.7), ("insert", 0.6)]
            options += [("nested-comprehension", 0.6)]
        if not any(spec.wrapper for spec in self.specs):
            options.append(("comprehension", 0.8))
        mechanism = gen.choose(options)
        if mechanism == "helper-list":
            return helper_list(gen, self.specs)
        if mechanism == "comprehension":
            return comprehension(gen, self.specs, setup)
        variable = gen.fresh(gen.pick(("stack", "rnn_layers", "blocks", "encoder_layers")))
        if mechanism in ("slice", "pop"):
            junk_before = [junk_spec(gen) for _ in range(gen.rng.randint(0, 1))]
            junk_after = [junk_spec(gen) for _ in range(0 if junk_before else 1)]
            before = [spell(gen, spec, setup) for spec in junk_before]
            items = [spell(gen, spec, setup) for spec in self.specs]
            after = [spell(gen, spec, setup) for spec in junk_after]
            if mechanism == "pop":
                setup.emit(f"{variable} = {bracket(before + items + after)}")
                setup.emit(f"{variable}.pop({'0' if before else ''})")
                return variable
            pool = gen.fresh("candidates")
            setup.emit(f"{pool} = {bracket(before + items + after)}")
            start = str(len(before)) if before else ""
            stop = f"-{len(after)}" if after else ""
            if before and after and gen.rng.random() < 0.5:
                stop = str(len(before) + count)
            setup.emit(f"{variable} = {pool}[{start}:{stop}]")
            return variable
        items = [spell(gen, spec, setup) for spec in self.specs]
        split = gen.rng.randint(1, count - 1) if count >= 2 else 1
        if mechanism == "tuple":
            setup.emit(f"{variable} = {bracket(items, '(', ')')}")
            return f"list({variable})"  # consumers may concatenate it to a list
        elif mechanism == "concat":
            setup.emit(f"{variable} = {bracket(items[:split])} + {bracket(items[split:])}")
        elif mechanism == "star":
            head = gen.fresh("head")
            setup.emit(f"{head} = {bracket(items[:split])}")
            setup.emit(f"{variable} = {bracket([f'*{head}', *items[split:]])}")
        elif mechanism == "append":
            setup.emit(f"{variable} = []")
            setup.emit(Sink("append", variable).lines(items))
        elif mechanism == "extend":
            setup.emit(f"{variable} = {bracket(items[:split])}")
            setup.emit(f"{variable}.extend({bracket(items[split:])})")
        elif mechanism == "insert":
            setup.emit(f"{variable} = {bracket(items[1:])}")
            setup.emit(f"{variable}.insert(0, {items[0]})")
        elif mechanism == "dict-of-layers":
            keys = [f"{KEY[spec.kind]}{number}" for number, spec in enumerate(self.specs)]
            parts = gen.fresh("parts")
            setup.emit(
                f"{parts} = " + bracket([f'"{k}": {e}' for k, e in zip(keys, items, strict=True)], "{", "}")
            )
            if gen.rng.random() < 0.5:
                setup.emit(f"{variable} = list({parts}.values())")
            else:
                lookups = [parts + '["' + key + '"]' for key in keys]
                setup.emit(f"{variable} = {bracket(lookups)}")
        elif mechanism == "nested-comprehension":
            groups = [bracket(items[:split]), bracket(items[split:])]
            nested = gen.fresh("groups")
            setup.emit(f"{nested} = {bracket(groups)}")
            setup.emit(f"{variable} = [layer for group in {nested} for layer in group]")
        else:
            setup.emit(f"{variable} = {bracket(items)}")
        return variable


def junk_spec(gen: Gen) -> Spec:
    """A layer that is built but never placed in the model: it must never be reported."""
    if gen.rng.random() < 0.6:
        return Spec("Dropout", lit(gen.pick(RATES)))
    return Spec("LSTM", lit(gen.pick(UNITS)), (("return_sequences", lit(True)),))


def comprehension(gen: Gen, specs: Sequence[Spec], setup: Block) -> str:
    """``[cls(**kwargs) for cls, kwargs in config]`` over (layer class, keyword arguments) pairs."""
    gen.tags.add("layer-classes")
    config = gen.fresh("config")
    rows = []
    for spec in specs:
        args = [*([(PRIMARY[spec.kind], spec.primary)] if spec.primary is not None else []), *spec.kws]
        kwargs = ", ".join(f'"{key}": {arg.src}' for key, arg in args)
        rows.append(f"({gen.L}{spec.kind}, {{{kwargs}}})")
    setup.emit(f"{config} = {bracket(rows)}")
    variable = gen.fresh("stack")
    setup.emit(f"{variable} = [cls(**kwargs) for cls, kwargs in {config}]")
    return variable


def helper_list(gen: Gen, specs: Sequence[Spec]) -> str:
    """A module-level builder returning the layers; its parameters carry some of their arguments."""
    name = gen.fresh("recurrent_block")
    params: list[tuple[str, Arg]] = []
    templated = []
    for spec in specs:
        primary, current = spec.primary, spec
        taken = {key for key, _ in params}
        if spec.kind in RECURRENT and "units" not in taken and primary is not None:
            params.append(("units", primary))
            current = dataclasses.replace(current, primary=Arg("units"))
            if gen.rng.random() < 0.7:
                params.append(("return_sequences", spec.kw("return_sequences") or lit(False)))
                current = current.replace_kw("return_sequences", Arg("return_sequences"))
        elif spec.kind in DROPOUTS and "rate" not in taken and primary is not None:
            params.append(("rate", primary))
            current = dataclasses.replace(current, primary=Arg("rate"))
        templated.append(current)
    body = Block()
    items = [spell(gen, spec, body) for spec in templated]
    body.emit(f"return {bracket(items)}")
    with_defaults = gen.chance("defaults", 0.5)
    signature = ", ".join(f"{key}={arg.src}" if with_defaults else key for key, arg in params)
    gen.helper(name, lambda: f"def {name}({signature}):\n{body.text(1)}")
    if with_defaults:
        passed = [(key, arg) for key, arg in params if gen.rng.random() < 0.3]
        return f"{name}({kw_text(passed)})"
    if gen.rng.random() < 0.5:
        return f"{name}({', '.join(arg.src for _, arg in params)})"
    return f"{name}({kw_text(params)})"


@dataclass
class Repeat(Segment):
    """``[layer for units in (8, 6) for layer in (LSTM(units, ...), Dropout(r))]``."""

    rec: Spec
    drop: Spec
    units: list[int]
    drop_first: bool
    features: int
    sequence: bool = True

    def as_list(self, gen: Gen, setup: Block) -> str:
        rec = spell(gen, dataclasses.replace(self.rec, primary=Arg("size")), setup)
        drop = spell(gen, self.drop, setup)
        pair = f"({drop}, {rec})" if self.drop_first else f"({rec}, {drop})"
        variable = gen.fresh("stack")
        sizes = bracket([str(u) for u in self.units], "(", ")")
        setup.emit(f"{variable} = [layer for size in {sizes} for layer in {pair}]")
        return variable


@dataclass
class Loop(Segment):
    """Recurrent layers (and dropout) built in a loop, return_sequences decided per step."""

    variant: str
    rec: Spec  # kind and wrapper; units and return_sequences come from the loop
    drop: Spec  # kind, rate and noise shape
    units: list[int]
    rates: list[float]
    kinds: list[str]
    closing: bool
    cond_template: str  # return_sequences as a format of {last} and {count}; "" for an open loop
    placement: str  # after | between | before
    features: int = 0
    sequence: bool = True

    def __post_init__(self) -> None:
        width = 2 if self.rec.wrapper == "Bidirectional" else 1
        self.features = self.units[-1] * width
        self.sequence = not self.closing

    def _condition(self, count: str, length: str) -> str:
        size = count or f"len({length})"
        return self.cond_template.format(last=f"{size} - 1", count=size)

    def _body(self, gen: Gen, setup: Block, sink: Sink, names: dict[str, str]) -> Block:
        """The loop, written to a block; ``names`` maps n/units/rates/kinds to their variables."""
        variant = self.variant
        indexed = variant not in ("zip-loop",) or self.closing
        count = names.get("n", "")
        length = names.get("units") or names.get("kinds") or ""
        cond = self._condition(count, length) if self.closing else None
        if variant in ("enumerate-loop", "zip-loop"):
            size = "size"
        elif variant == "kinds-loop":
            size = str(self.units[0])
        else:
            size = f"{names['units']}[i]" if "units" in names else str(self.units[0])
        rate_arg = Arg("rate") if variant == "zip-loop" else self.drop.primary
        seq_arg = Arg(cond) if cond else lit(True)
        rec_spec = dataclasses.replace(self.rec, primary=Arg(size) if not size.isdigit() else lit(int(size)))
        rec_spec = rec_spec.replace_kw("return_sequences", seq_arg)
        if variant == "kinds-loop":
            rec = kinds_expr(gen, rec_spec, names["kinds"])
        else:
            rec = spell(gen, rec_spec, setup)
        drop = spell(gen, dataclasses.replace(self.drop, primary=rate_arg), setup)
        loop = Block()
        if variant == "range-loop" or variant == "continue":
            loop.emit(f"for i in range({count}):")
        elif variant == "break":
            loop.emit(f"for i in range({count} + {gen.pick((1, 3, 10))}):")
            loop.emit(f"if i == {count}:\n    break", 1)
        elif variant == "while-loop":
            loop.emit("i = 0")
            loop.emit(f"while i < {count}:")
        elif variant == "enumerate-loop":
            loop.emit(f"for i, size in enumerate({names['units']}):")
        elif variant == "zip-loop":
            pairs = f"zip({names['units']}, {names['rates']})"
            loop.emit(
                f"for i, (size, rate) in enumerate({pairs}):" if indexed else f"for size, rate in {pairs}:"
            )
        else:
            loop.emit(f"for i, kind in enumerate({names['kinds']}):")
        last = f"{count} - 1" if count else f"len({length}) - 1"
        if self.placement == "before":
            loop.emit(sink.lines([drop, rec]), 1)
        elif variant == "continue":
            loop.emit(sink.lines([rec]), 1)
            loop.emit(f"if i == {last}:\n    continue", 1)
            loop.emit(sink.lines([drop]), 1)
        elif self.placement == "between":
            loop.emit(sink.lines([rec]), 1)
            loop.emit(f"if i < {last}:", 1)
            loop.emit(sink.lines([drop]), 2)
        else:
            loop.emit(sink.lines([rec, drop]), 1)
        if variant == "while-loop":
            loop.emit("i += 1", 1)
        return loop

    def _constants(self, gen: Gen) -> list[tuple[str, str, str]]:
        """(role, variable, value) of what the loop runs over."""
        found = []
        if self.variant in ("range-loop", "while-loop", "break", "continue"):
            found.append(
                ("n", gen.fresh(gen.pick(("n_layers", "depth", "num_layers"))), str(len(self.units)))
            )
            if len(set(self.units)) > 1:
                found.append(("units", gen.fresh("units"), bracket([str(u) for u in self.units])))
        elif self.variant == "kinds-loop":
            found.append(("kinds", gen.fresh("kinds"), bracket([f'"{KEY[k]}"' for k in self.kinds])))
        else:
            found.append(("units", gen.fresh("units"), bracket([str(u) for u in self.units])))
            if self.variant == "zip-loop":
                found.append(("rates", gen.fresh("rates"), bracket([repr(r) for r in self.rates])))
        return found

    def loop(self, gen: Gen, setup: Block, sink: Sink) -> bool:
        constants = self._constants(gen)
        for _, variable, value in constants:
            setup.emit(f"{variable} = {value}")
        setup.extend(self._body(gen, setup, sink, {role: variable for role, variable, _ in constants}))
        return True

    def as_list(self, gen: Gen, setup: Block) -> str:
        options = [("append", 3.0), ("extend", 1.0), ("helper-list", 1.0)]
        if self.placement == "after" and self.variant != "continue":
            options.append(("pop", 0.8))
        mechanism = gen.choose(options)
        if mechanism == "helper-list":
            name = gen.fresh("recurrent_stack")
            body = Block()
            constants = self._constants(gen)
            params = [
                (variable, value.replace("[", "(").replace("]", ")")) for _, variable, value in constants
            ]
            body.emit("stack = []")
            body.extend(self._body(gen, body, Sink("append", "stack"), {r: v for r, v, _ in constants}))
            body.emit("return stack")
            with_defaults = gen.chance("defaults", 0.5)
            signature = ", ".join(f"{v}={value}" if with_defaults else v for v, value in params)
            gen.helper(name, lambda: f"def {name}({signature}):\n{body.text(1)}")
            if with_defaults:
                return f"{name}()"
            return f"{name}({', '.join(value for _, value in params)})"
        variable = gen.fresh("stack")
        setup.emit(f"{variable} = []")
        self.loop(gen, setup, Sink("extend" if mechanism == "extend" else "append", variable))
        if mechanism == "pop":
            setup.emit(f"{variable}.pop()  # no dropout after the last recurrent layer")
        return variable


def kinds_expr(gen: Gen, spec: Spec, kinds: str) -> str:
    """The recurrent layer of a loop over kind names: a dict lookup, a helper or getattr."""
    args = call_args(spec.kind, spec.primary, spec.kws)
    chosen = gen.choose([("dict-lookup", 2.0), ("helper-class", 1.0), ("match", 1.0)])
    if chosen == "helper-class":
        text = f"{rnn_class_helper(gen)}(kind)({args})"
    elif chosen == "match":
        text = f"{match_helper(gen)}(kind, {args})"
    elif gen.rng.random() < 0.5:
        text = f"{_registry(gen)}[kind]({args})"
    else:
        table = ", ".join(f'"{KEY[k]}": {gen.L}{k}' for k in RECURRENT)
        text = f"{{{table}}}[kind]({args})"
    return f"{gen.L}{spec.wrapper}({text})" if spec.wrapper else text


@dataclass
class Nested(Segment):
    """A Sequential model used as one layer of the outer model."""

    inner: Segment
    features: int
    sequence: bool

    def items(self, gen: Gen, setup: Block) -> list[str] | None:
        inner = None if wants_list(gen) else self.inner.items(gen, setup)
        layers = bracket(inner) if inner is not None else self.inner.as_list(gen, setup)
        name = f', name="{gen.fresh("encoder")}"' if gen.rng.random() < 0.5 else ""
        return [f"{gen.K}Sequential({layers}{name})"]


@dataclass
class CustomBlock(Segment):
    """A keras.layers.Layer subclass whose __init__ builds the layers and whose call applies them."""

    inner: Segment
    inherit: bool  # a base block and a subclass that adds the last layer through super().call()
    features: int
    sequence: bool

    def items(self, gen: Gen, setup: Block) -> list[str] | None:
        name = f"RecurrentBlock{gen.names.get('block', 0) + 1}"
        gen.fresh("block")
        init, call = Block(), Block()
        if self.inherit and isinstance(self.inner, Chain) and len(self.inner.specs) >= 2:
            base = f"Base{name}"
            items = [spell(gen, spec, init) for spec in self.inner.specs[:-1]]
            init.emit(f"self.blocks = {bracket(items)}")
            call.emit("x = inputs\nfor layer in self.blocks:\n    x = layer(x)\nreturn x")
            gen.helper(base, lambda: layer_class(gen, base, f"{gen.L}Layer", init, call))
            extra_init, extra_call = Block(), Block()
            extra_init.emit(f"self.extra = {spell(gen, self.inner.specs[-1], extra_init)}")
            extra_call.emit("return self.extra(super().call(inputs))")
            gen.helper(name, lambda: layer_class(gen, name, base, extra_init, extra_call))
            return [f"{name}()"]
        items = None if wants_list(gen) else self.inner.items(gen, init)
        if items is None:
            init.emit(f"self.blocks = {self.inner.as_list(gen, init)}")
            call.emit("x = inputs\nfor layer in self.blocks:\n    x = layer(x)\nreturn x")
        else:
            attributes = [f"layer{number}" for number in range(len(items))]
            for attribute, item in zip(attributes, items, strict=True):
                init.emit(f"self.{attribute} = {item}")
            if gen.rng.random() < 0.5:
                nested = "inputs"
                for attribute in attributes:
                    nested = f"self.{attribute}({nested})"
                call.emit(f"return {nested}")
            else:
                call.emit("x = inputs")
                call.emit("\n".join(f"x = self.{attribute}(x)" for attribute in attributes))
                call.emit("return x")
        gen.helper(name, lambda: layer_class(gen, name, f"{gen.L}Layer", init, call))
        return [f"{name}()"]


def layer_class(gen: Gen, name: str, base: str, init: Block, call: Block) -> str:
    parent = (
        "super().__init__(**kwargs)" if gen.rng.random() < 0.7 else f"super({name}, self).__init__(**kwargs)"
    )
    return (
        f"class {name}({base}):\n"
        "    def __init__(self, **kwargs):\n"
        f"        {parent}\n"
        f"{init.text(2)}\n"
        "    def call(self, inputs):\n"
        f"{call.text(2)}"
    )


@dataclass
class Wrap(Segment):
    """A layer that wraps another: ``x + f(x)`` (a residual, breaks the chain) or ``f(x)``."""

    body: list[Spec]
    residual: bool
    features: int
    sequence: bool = True

    def items(self, gen: Gen, setup: Block) -> list[str] | None:
        name = "Residual" if self.residual else "Passthrough"
        result = "inputs + self.body(inputs)" if self.residual else "self.body(inputs)"

        def make() -> str:
            init, call = Block(), Block()
            init.emit("self.body = body")
            call.emit(f"return {result}")
            return layer_class(gen, name, f"{gen.L}Layer", init, call).replace(
                "def __init__(self, **kwargs)", "def __init__(self, body, **kwargs)"
            )

        gen.helper(name, make)
        items = [spell(gen, spec, setup) for spec in self.body]
        inner = items[0] if len(items) == 1 else f"{gen.K}Sequential({bracket(items)})"
        return [f"{name}({inner})"]


@dataclass
class TimeDistributedModel(Segment):
    """``TimeDistributed(Sequential([Dense, Dropout]))``: the inner model sees one step at a time."""

    specs: list[Spec]
    features: int
    sequence: bool = True

    def items(self, gen: Gen, setup: Block) -> list[str] | None:
        items = [spell(gen, spec, setup) for spec in self.specs]
        return [f"{gen.L}TimeDistributed({gen.K}Sequential({bracket(items)}))"]


# -- planning a program ---------------------------------------------------------------------------------


def make_segment(gen: Gen, features: int, closing: bool, top: bool) -> Segment:
    options = [("chain", 6.0)]
    options += [(variant, weight) for variant, weight in LOOP_WEIGHTS.items()]
    if not closing:
        options.append(("nested-comprehension", 0.5))
    if top:
        options += [("nested-seq", 0.5), ("custom-layer", 0.6)]
        if not closing:
            options += [("residual-add", 0.35), ("wrapper-pass", 0.35), ("td-model", 0.25)]
    kind = gen.choose(options)
    if kind in LOOP_WEIGHTS:
        return make_loop(gen, kind, closing)
    if kind == "nested-comprehension":
        rec = recurrent_spec(gen, True)
        units = [gen.pick(UNITS) for _ in range(gen.pick((2, 2, 3)))]
        width = 2 if rec.wrapper == "Bidirectional" else 1
        return Repeat(rec, dropout_spec(gen, None), units, gen.rng.random() < 0.3, units[-1] * width)
    if kind in ("nested-seq", "custom-layer"):
        inner = make_segment(gen, features, closing, top=False)
        if kind == "nested-seq":
            return Nested(inner, inner.features, inner.sequence)
        inherit = isinstance(inner, Chain) and len(inner.specs) >= 2 and gen.chance("layer-inherit", 0.3)
        return CustomBlock(inner, inherit, inner.features, inner.sequence)
    if kind in ("residual-add", "wrapper-pass"):
        body = [preserving_spec(gen, features) for _ in range(gen.rng.randint(1, 2))]
        if gen.focus and not any(spec.kind in DROPOUTS for spec in body):
            body = [dropout_spec(gen, features)]
        return Wrap(body, kind == "residual-add", features)
    if kind == "td-model":
        width = gen.pick((4, 8))
        return TimeDistributedModel([Spec("Dense", lit(width)), dropout_spec(gen, None, flat=True)], width)
    length = gen.rng.randint(1, 3)
    specs = chain_specs(gen, features, length, closing)
    features, sequence = run_specs(specs, features)
    return Chain(specs, features, sequence)


LOOP_WEIGHTS = {
    "range-loop": 0.6,
    "enumerate-loop": 0.4,
    "zip-loop": 0.4,
    "while-loop": 0.3,
    "break": 0.25,
    "continue": 0.25,
    "kinds-loop": 0.3,
}


def make_loop(gen: Gen, variant: str, closing: bool) -> Loop:
    count = gen.pick((2, 2, 3))
    rec = recurrent_spec(gen, True)
    if variant == "kinds-loop" or (
        variant in ("range-loop", "while-loop", "break", "continue") and gen.rng.random() < 0.5
    ):
        units = [gen.pick(UNITS)] * count
    else:
        units = [gen.pick(UNITS) for _ in range(count)]
    kinds = [gen.pick(RECURRENT) for _ in range(count)]
    rates = [gen.pick(RATES) for _ in range(count)]
    indexed = variant != "zip-loop" or closing
    placements = ["after", "between", "before"] if indexed else ["after", "before"]
    placement = "between" if variant == "continue" else gen.pick(placements)
    drop = dropout_spec(gen, None, flat=closing and placement == "after")
    template = ""
    if closing:
        if variant in ("range-loop", "while-loop", "break", "continue"):
            options = [("rs-lt", 1.0), ("rs-ne", 1.0), ("rs-ternary", 1.0)]
        else:
            options = [("rs-ne-len", 1.0), ("rs-lt-len", 1.0), ("rs-ternary", 1.0)]
        tag = gen.choose(options)
        template = {
            "rs-lt": gen.pick(("i < {last}", "i + 1 < {count}")),
            "rs-ne": "i != {last}",
            "rs-ternary": "True if i != {last} else False",
            "rs-lt-len": "i < {last}",
            "rs-ne-len": "i != {last}",
        }[tag]
    return Loop(variant, rec, drop, units, rates, kinds, closing, template, placement)


def preserving_spec(gen: Gen, features: int) -> Spec:
    """A layer whose output has the shape of its input (the body of a residual)."""
    roll = gen.rng.random()
    if roll < 0.45:
        return dropout_spec(gen, features)
    if roll < 0.75:
        return recurrent_spec(gen, True, units=features, bidirectional=False)
    if roll < 0.9:
        return Spec(gen.pick(("BatchNormalization", "LayerNormalization")))
    return Spec("Dense", lit(features))


OPEN_ONLY = ("residual-add", "wrapper-pass", "td-model", "nested-comprehension")


def plan(gen: Gen) -> list[Segment]:
    # Few recurrent layers per program: building them is most of the run's time.
    count = gen.rng.randint(1, 2) if gen.focus else gen.pick((1, 1, 2, 2, 3))
    if gen.wanted & set(OPEN_ONLY):
        count = 2  # the mechanism, then the layers that end the sequence
    segments: list[Segment] = []
    features = FEATURES
    for number in range(count):
        last = number == count - 1
        closing = last and (gen.rng.random() < 0.6 or bool(gen.wanted & {*RS_TAGS, *OPEN_ONLY}))
        segment = make_segment(gen, features, closing, top=True)
        segments.append(segment)
        features = segment.features
    return segments


# -- model styles ---------------------------------------------------------------------------------------


@dataclass
class Model:
    """What every style needs: the segments, the head after them, the kind of input."""

    segments: list[Segment]
    head: list[Spec]
    embedding: bool

    def input_expr(self, gen: Gen) -> str:
        if self.embedding:
            return f'{gen.K}Input(shape=({TIME_STEPS},), dtype="int32")'
        shape = f"({TIME_STEPS}, {FEATURES})"
        return f"{gen.K}Input(shape={shape})" if gen.rng.random() < 0.5 else f"{gen.K}Input({shape})"

    def embedding_expr(self, gen: Gen) -> str:
        return f"{gen.L}Embedding({VOCABULARY}, {FEATURES})"

    def sample(self) -> str:
        if self.embedding:
            return f'np.zeros((2, {TIME_STEPS}), dtype="int32")'
        return f'np.zeros((2, {TIME_STEPS}, {FEATURES}), dtype="float32")'


def place(
    gen: Gen,
    segment: Segment,
    setup: Block,
    sink: Sink | None,
    consume: Callable[[str], None],
    emit_items: Callable[[list[str]], None] | None = None,
) -> None:
    """Place a segment: a loop through the sink, single layers through ``emit_items``, or a list."""
    if isinstance(segment, Loop) and sink is not None:
        direct = not wants_list(gen) if gen.focus else gen.rng.random() < 0.5
        if direct and segment.loop(gen, setup, sink):
            return
    items = None if wants_list(gen) else segment.items(gen, setup)
    if items is None:
        consume(segment.as_list(gen, setup))
    elif emit_items is not None:
        emit_items(items)
    else:
        assert sink is not None
        setup.emit(sink.lines(items))


def style_seq_list(gen: Gen, model: Model) -> Block:
    body = Block()
    parts: list[tuple[bool, str]] = []  # (is a list, expression)
    built = not model.embedding and gen.chance("seq-build", 0.15)
    if not built:
        parts.append((False, model.input_expr(gen)))
    if model.embedding:
        parts.append((False, model.embedding_expr(gen)))
    for segment in model.segments:
        items = None
        if not (isinstance(segment, Loop) or wants_list(gen)):
            items = segment.items(gen, body)
        if items is None:
            parts.append((True, segment.as_list(gen, body)))
        else:
            parts.extend((False, item) for item in items)
    parts.extend((False, spell(gen, spec, body)) for spec in model.head)
    if not any(is_list for is_list, _ in parts):
        layers = bracket([text for _, text in parts])
    elif gen.choose([("star", 1.0), ("concat", 1.0)]) == "star":
        layers = bracket([f"*{text}" if is_list else text for is_list, text in parts])
    else:
        groups: list[str] = []
        pending: list[str] = []
        for is_list, text in parts:
            if is_list:
                if pending:
                    groups.append(bracket(pending))
                    pending = []
                groups.append(text)
            else:
                pending.append(text)
        if pending:
            groups.append(bracket(pending))
        layers = " + ".join(groups)
    name = f', name="{gen.pick(("forecaster", "classifier", "tagger"))}"' if gen.rng.random() < 0.3 else ""
    body.emit(f"model = {gen.K}Sequential({layers}{name})")
    if built:
        body.emit(f"model.build((None, {TIME_STEPS}, {FEATURES}))")
    body.emit("return model")
    return body


def style_seq_add(gen: Gen, model: Model) -> Block:
    body = Block()
    net = gen.pick(("model", "model", "net", "clf"))
    body.emit(f"{net} = {gen.K}Sequential()")
    body.emit(f"{net}.add({model.input_expr(gen)})")
    if model.embedding:
        body.emit(f"{net}.add({model.embedding_expr(gen)})")
    sink = Sink("add", net)

    def consume(variable: str) -> None:
        body.emit(f"for layer in {variable}:\n    {net}.add(layer)")

    for segment in model.segments:
        place(gen, segment, body, sink, consume)
    body.emit(sink.lines([spell(gen, spec, body) for spec in model.head]))
    body.emit(f"return {net}")
    return body


def style_functional(gen: Gen, model: Model) -> Block:
    body = Block()
    body.emit(f"inputs = {model.input_expr(gen)}")
    body.emit(f"x = {model.embedding_expr(gen)}(inputs)" if model.embedding else "x = inputs")

    def emit_items(items: list[str]) -> None:
        number = 0
        while number < len(items):
            item = items[number]
            if number + 1 < len(items) and gen.chance("nested-call", 0.15):
                body.emit(f"x = {items[number + 1]}({item}(x))")
                number += 2
                continue
            if gen.chance("bound-layer", 0.15):
                variable = gen.fresh("layer")
                body.emit(f"{variable} = {item}")
                body.emit(f"x = {variable}(x)")
            else:
                body.emit(f"x = {item}(x)")
            number += 1

    def consume(variable: str) -> None:
        how = gen.choose([("iterate", 3.0), ("reduce", 0.8), ("nested-seq", 0.5)])
        if how == "reduce":
            gen.modules.add("functools")
            body.emit(f"x = functools.reduce(lambda t, layer: layer(t), {variable}, x)")
        elif how == "nested-seq":
            body.emit(f"x = {gen.K}Sequential({variable})(x)")
        else:
            body.emit(f"for layer in {variable}:\n    x = layer(x)")

    for segment in model.segments:
        place(gen, segment, body, Sink("call", "x"), consume, emit_items)
    head = [spell(gen, spec, body) for spec in model.head]
    outputs = "x"
    for item in head:
        outputs = f"{item}({outputs})"
    body.emit(f"outputs = {outputs}")
    if gen.rng.random() < 0.5:
        body.emit(f"return {gen.K}Model(inputs, outputs)")
    else:
        body.emit(f'model = {gen.K}Model(inputs=inputs, outputs=outputs, name="{gen.pick(("net", "rnn"))}")')
        body.emit("return model")
    return body


def style_subclass(gen: Gen, model: Model) -> Block:
    gen.modules.add("numpy")
    init, call = Block(), Block()
    training = ", training=training" if gen.chance("training-arg", 0.3) else ""
    call.emit("x = inputs")
    if model.embedding:
        init.emit(f"self.embedding = {model.embedding_expr(gen)}")
        call.emit("x = self.embedding(x)")

    def attribute_for(items: list[str]) -> None:
        for item in items:
            attribute = gen.fresh("layer")
            init.emit(f"self.{attribute} = {item}")
            call.emit(f"x = self.{attribute}(x{training})")

    def consume(variable: str) -> None:
        attribute = gen.fresh("blocks")
        init.emit(f"self.{attribute} = {variable}")
        call.emit(f"for layer in self.{attribute}:\n    x = layer(x{training})")

    for segment in model.segments:
        if isinstance(segment, Loop) and not wants_list(gen):
            attribute = gen.fresh("stack")
            init.emit(f"self.{attribute} = []")
            segment.loop(gen, init, Sink("append", f"self.{attribute}"))
            call.emit(f"for layer in self.{attribute}:\n    x = layer(x{training})")
            continue
        place(gen, segment, init, None, consume, attribute_for)
    attribute_for([spell(gen, spec, init) for spec in model.head])
    call.emit("return x")
    name = gen.pick(("Forecaster", "SequenceModel", "Net"))
    signature = "inputs, training=None" if training else "inputs"
    gen.helper(
        name,
        lambda: (
            f"class {name}({gen.K}Model):\n"
            "    def __init__(self, **kwargs):\n"
            "        super().__init__(**kwargs)\n"
            f"{init.text(2)}\n"
            f"    def call(self, {signature}):\n"
            f"{call.text(2)}"
        ),
    )
    body = Block()
    body.emit(f"model = {name}()")
    body.emit(f"model({model.sample()})")
    body.emit("return model")
    return body


def style_subclass_inherit(gen: Gen, model: Model) -> Block:
    """A base model iterates ``self.blocks`` in call; its subclass fills them after super().__init__."""
    gen.modules.add("numpy")
    gen.helper(
        "BaseNet",
        lambda: (
            f"class BaseNet({gen.K}Model):\n"
            "    def __init__(self, **kwargs):\n"
            "        super().__init__(**kwargs)\n"
            "        self.blocks = []\n"
            "\n"
            "    def call(self, inputs):\n"
            "        x = inputs\n"
            "        for block in self.blocks:\n"
            "            x = block(x)\n"
            "        return x\n"
        ),
    )
    init = Block()
    parent = "super().__init__(**kwargs)" if gen.rng.random() < 0.6 else "super(Net, self).__init__(**kwargs)"
    init.emit(parent)
    sink = Sink(gen.choose([("append", 2.0), ("extend", 1.0), ("iadd", 0.7)]), "self.blocks")
    if model.embedding:
        init.emit(sink.lines([model.embedding_expr(gen)]))

    def consume(variable: str) -> None:
        init.emit(
            f"self.blocks.extend({variable})" if gen.rng.random() < 0.5 else f"self.blocks += {variable}"
        )

    for segment in model.segments:
        place(gen, segment, init, sink, consume)
    init.emit(sink.lines([spell(gen, spec, init) for spec in model.head]))
    gen.helper(
        "Net",
        lambda: f"class Net(BaseNet):\n    def __init__(self, **kwargs):\n{init.text(2)}",
    )
    body = Block()
    body.emit("model = Net()")
    body.emit(f"model({model.sample()})")
    body.emit("return model")
    return body


STYLES: dict[str, Callable[[Gen, Model], Block]] = {
    "seq-list": style_seq_list,
    "seq-add": style_seq_add,
    "functional": style_functional,
    "subclass-model": style_subclass,
    "subclass-inherit": style_subclass_inherit,
}
STYLE_WEIGHTS = {
    "seq-list": 3.0,
    "seq-add": 2.0,
    "functional": 3.0,
    "subclass-model": 2.0,
    "subclass-inherit": 1.0,
}


# -- programs -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Program:
    seed: int
    index: int
    focus: str | None
    source: str
    tags: frozenset[str]

    @property
    def name(self) -> str:
        focus = f"_{self.focus.replace('-', '_').replace('+', '_and_')}" if self.focus else ""
        return f"gen_s{self.seed}_{self.index}{focus}"


def generate(seed: int, index: int, focus: str | None = None) -> Program:
    """The program number ``index`` of ``seed``; with ``focus``, one that uses that mechanism only."""
    gen = Gen(seed, index, focus)
    style_tag = gen.choose([(style.tag, 1.0) for style in IMPORT_STYLES])
    gen.style = next(style for style in IMPORT_STYLES if style.tag == style_tag)
    embedding = gen.chance("embedding", 0.3)
    segments = plan(gen)
    last = segments[-1]
    head = []
    if gen.chance("trailing-dropout", 0.4):
        head.append(Spec("Dropout", lit(0.5 if not last.sequence else gen.pick(RATES))))
    head.append(Spec("Dense", lit(1)))
    model = Model(segments, head, embedding)
    style = gen.choose(list(STYLE_WEIGHTS.items()))
    body = STYLES[style](gen, model)
    groups = ["".join(f"import {m}\n" for m in sorted(gen.modules) if m != "numpy")]
    groups.append("import numpy as np\n" if "numpy" in gen.modules else "")
    groups.append(gen.style.header)
    parts = ["\n".join(group for group in groups if group)]
    parts.extend(gen.helpers.values())
    parts.append(f"def build_model():\n{body.text(1)}")
    if gen.chance("main-guard", 0.25):
        parts.append('if __name__ == "__main__":\n    build_model().summary()\n')
    source = "\n\n".join(part.rstrip("\n") + "\n" for part in parts)
    return Program(seed, index, focus, source, frozenset(gen.tags))


# -- ground truth and comparison ------------------------------------------------------------------------

Finding = tuple[int, str]  # (line, code)
PROGRAM_DIR = Path(tempfile.gettempdir()) / "rnn-dropout-lint-differential"


def program_path(program: Program) -> str:
    """Where the program claims to live: runtime findings name this file, static ones too."""
    return str(PROGRAM_DIR / f"{program.name}.py")


@dataclass
class Outcome:
    program: Program
    runtime: frozenset[Finding] = frozenset()
    static: frozenset[Finding] = frozenset()
    error: str | None = None  # the program did not build (a generator bug), or a checker raised

    @property
    def misses(self) -> list[Finding]:
        return sorted(self.runtime - self.static)

    @property
    def false_positives(self) -> list[Finding]:
        return sorted(self.static - self.runtime)

    @property
    def agrees(self) -> bool:
        return self.error is None and self.runtime == self.static


def static_findings(source: str, path: str) -> frozenset[Finding]:
    """Certain findings of the static checker with default settings."""
    from rnn_dropout_lint import lint_source

    return frozenset((f.row, f.code) for f in lint_source(source, path))


class RuntimeOracle:
    """The runtime checker on the model each program builds, TensorFlow imported once.

    This is what ``verify`` does in its child process and what ``check_model`` does on
    a built model: the recorder is installed before the program runs (so every layer
    knows the line that built it), one forward pass traces the live graph, and the
    project's rules run on it with default settings.
    """

    def __enter__(self) -> RuntimeOracle:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
        import warnings

        from rnn_dropout_lint.runtime.tracing import Recorder

        warnings.filterwarnings("ignore", module="keras")
        self.recorder = Recorder()
        self.recorder.install()
        self.built = 0
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.recorder.uninstall()

    def findings(self, source: str, path: str, name: str) -> frozenset[Finding]:
        from rnn_dropout_lint.engine import Settings, check_graph
        from rnn_dropout_lint.runtime.tracing import trace

        self.built += 1
        if self.built % 200 == 0:
            import keras

            keras.backend.clear_session()  # keeps memory flat over long runs
        module = types.ModuleType(name)
        module.__file__ = path
        exec(compile(source, path, "exec"), module.__dict__)
        model = module.build_model()
        graph = trace(model, self.recorder)
        # A finding on a layer with no recorded source line would be a runtime-checker gap: line 0.
        return frozenset((f.row if f.path == path else 0, f.code) for f in check_graph(graph, Settings()))


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"


def evaluate(program: Program, oracle: RuntimeOracle) -> Outcome:
    path = program_path(program)
    try:
        runtime = oracle.findings(program.source, path, program.name)
    except Exception as exc:
        return Outcome(program, error=f"the program does not build: {first_line(exc)}")
    try:
        static = static_findings(program.source, path)
    except Exception as exc:
        return Outcome(program, runtime=runtime, error=f"the static checker raised {first_line(exc)}")
    return Outcome(program, runtime, static)


def programs(seed: int, count: int, focus: Sequence[str] = ()) -> list[Program]:
    """``count`` programs of ``seed`` (per focus, when mechanisms are given)."""
    return [generate(seed, index, each) for each in focus or [None] for index in range(count)]


def run(seed: int, count: int, focus: Sequence[str] = (), jobs: int = 1) -> list[Outcome]:
    """Every program through both checkers: in this process, or spread over ``jobs`` processes."""
    todo = programs(seed, count, focus)
    if jobs <= 1:
        with RuntimeOracle() as oracle:
            return [evaluate(program, oracle) for program in todo]
    import json
    import subprocess

    command = [sys.executable, __file__, "--seed", str(seed), "--count", str(count), "--jobs", str(jobs)]
    command += [f"--focus={each}" for each in focus]
    workers = [
        subprocess.Popen(
            [*command, "--worker", str(part)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        for part in range(jobs)
    ]
    found: dict[int, Outcome] = {}
    for worker in workers:
        assert worker.stdout is not None
        for line in worker.stdout:
            if line.startswith(PROTOCOL):
                record = json.loads(line[len(PROTOCOL) :])
                found[record["position"]] = Outcome(
                    todo[record["position"]],
                    frozenset(map(tuple, record["runtime"])),  # type: ignore[arg-type]
                    frozenset(map(tuple, record["static"])),  # type: ignore[arg-type]
                    record["error"],
                )
        worker.wait()
    lost = "a worker process died before checking this program"
    return [found.get(position, Outcome(program, error=lost)) for position, program in enumerate(todo)]


PROTOCOL = "@@differential "


def work(seed: int, count: int, focus: Sequence[str], jobs: int, part: int) -> None:
    """A worker process of ``run``: every ``jobs``-th program from ``part``, as JSON lines."""
    import json

    with RuntimeOracle() as oracle:
        for position, program in enumerate(programs(seed, count, focus)):
            if position % jobs != part:
                continue
            outcome = evaluate(program, oracle)
            record = {
                "position": position,
                "runtime": sorted(outcome.runtime),
                "static": sorted(outcome.static),
                "error": outcome.error,
            }
            print(PROTOCOL + json.dumps(record), flush=True)


# Hand-checked programs: the runtime ground truth must give exactly the codes written on the lines.
HAND_CHECKED: dict[str, str] = {
    "lstm-dropout-lstm": """\
import keras
from keras import layers


def build_model():
    return keras.Sequential([
        keras.Input((6, 8)),
        layers.LSTM(8, return_sequences=True),
        layers.Dropout(0.2),  # expect: RDL001
        layers.LSTM(4),
        layers.Dropout(0.5),
        layers.Dense(1),
    ])
""",
    "embedding-dropout-gru": """\
from tensorflow import keras
from tensorflow.keras import layers


def build_model():
    tokens = keras.Input((6,), dtype="int32")
    x = layers.Embedding(20, 8)(tokens)
    x = layers.Dropout(0.3)(x)  # expect: RDL002
    x = layers.GRU(4)(x)
    return keras.Model(tokens, layers.Dense(1)(x))
""",
    "time-shared-masks": """\
import keras
from keras import layers


def build_model():
    model = keras.Sequential()
    model.add(keras.Input((6, 8)))
    model.add(layers.LSTM(8, return_sequences=True))
    model.add(layers.SpatialDropout1D(0.2))
    model.add(layers.GRU(8, return_sequences=True))
    model.add(layers.Dropout(0.2, noise_shape=(None, 1, None)))
    model.add(layers.SimpleRNN(4))
    return model
""",
    "noise-shapes": """\
import keras
from keras import layers


def build_model():
    inputs = keras.Input((6, 8))
    x = layers.LSTM(8, return_sequences=True)(inputs)
    x = layers.Dropout(0.2, noise_shape=(None, None, 8))(x)  # expect: RDL003
    x = layers.LSTM(8, return_sequences=True)(x)
    x = layers.Dropout(0.2, noise_shape=(None, None, 1))(x)  # drops whole steps: deliberate
    x = layers.LSTM(8, return_sequences=True)(x)
    x = layers.Dropout(0.2, noise_shape=(4, 1, None))(x)  # expect: RDL004
    x = layers.LSTM(4)(x)
    return keras.Model(inputs, x)
""",
    "loop-return-sequences": """\
import keras
from keras import layers


def build_model(n=3):
    model = keras.Sequential([keras.Input((6, 8))])
    for i in range(n):
        model.add(layers.LSTM(8, return_sequences=i < n - 1))
        if i < n - 1:
            model.add(layers.Dropout(0.2))  # expect: RDL001
    model.add(layers.Dense(1))
    return model
""",
    "residual-breaks-pass-through-keeps": """\
import keras
from keras import layers


class Residual(layers.Layer):
    def __init__(self, body, **kwargs):
        super().__init__(**kwargs)
        self.body = body

    def call(self, inputs):
        return inputs + self.body(inputs)


class Passthrough(Residual):
    def call(self, inputs):
        return self.body(inputs)


def build_model():
    unused = layers.Dropout(0.5)
    return keras.Sequential([
        keras.Input((6, 8)),
        layers.LSTM(8, return_sequences=True),
        Residual(layers.Dropout(0.2)),
        layers.LSTM(8, return_sequences=True),
        Passthrough(layers.Dropout(0.2)),  # expect: RDL001
        layers.TimeDistributed(layers.Dropout(0.1)),  # expect: RDL001
        layers.GRU(4),
    ])
""",
}


def expected_findings(source: str) -> frozenset[Finding]:
    found = set()
    for number, line in enumerate(source.splitlines(), 1):
        if "# expect:" in line:
            found.update((number, code.strip()) for code in line.split("# expect:")[1].split(","))
    return frozenset(found)


def sanity(oracle: RuntimeOracle) -> list[str]:
    """Problems with the ground truth on the hand-checked programs (none expected)."""
    problems = []
    for name, source in HAND_CHECKED.items():
        path = str(PROGRAM_DIR / f"hand_{name.replace('-', '_')}.py")
        got = oracle.findings(source, path, f"hand_{name.replace('-', '_')}")
        if got != expected_findings(source):
            problems.append(f"{name}: runtime {sorted(got)}, expected {sorted(expected_findings(source))}")
    return problems


# -- reporting ------------------------------------------------------------------------------------------


def describe(outcome: Outcome) -> str:
    """One failing program: its name, tags, the differing (line, code) and its text."""
    program = outcome.program
    lines = [f"--- {program.name} (seed {program.seed}, index {program.index}"]
    lines[0] += f", focus {program.focus})" if program.focus else ")"
    lines.append(f"tags: {', '.join(sorted(program.tags))}")
    if outcome.error:
        lines.append(f"error: {outcome.error}")
    lines.append(f"runtime: {sorted(outcome.runtime)}")
    lines.append(f"static:  {sorted(outcome.static)}")
    if outcome.misses:
        lines.append(f"static misses (runtime only): {outcome.misses}")
    if outcome.false_positives:
        lines.append(f"static false positives (static only): {outcome.false_positives}")
    numbered = program.source.splitlines()
    lines.extend(f"{number:4d}  {text}" for number, text in enumerate(numbered, 1))
    return "\n".join(lines)


@dataclass
class Tally:
    programs: int = 0
    agree: int = 0
    misses: int = 0
    false_positives: int = 0
    errors: int = 0

    def add(self, outcome: Outcome) -> None:
        self.programs += 1
        self.agree += outcome.agrees
        self.misses += bool(outcome.misses) and outcome.error is None
        self.false_positives += bool(outcome.false_positives) and outcome.error is None
        self.errors += outcome.error is not None

    def sentence(self) -> str:
        text = (
            f"{self.programs} programs, {self.agree} agree, {self.misses} static misses, "
            f"{self.false_positives} static false positives"
        )
        return text + (f", {self.errors} errors" if self.errors else "")


def summary(outcomes: Sequence[Outcome]) -> str:
    """The whole run in one sentence, then a table per mechanism tag (programs counted).

    A program counts for every tag it uses, so a mechanism the static analyzer does not
    follow drags down the tags it appears with; ``--focus`` isolates one mechanism.
    """
    total = Tally()
    by_tag: dict[str, Tally] = {}
    for outcome in outcomes:
        total.add(outcome)
        # A focused program counts for its focus only: the other tags are the plain baseline.
        program = outcome.program
        for tag in [program.focus] if program.focus else program.tags:
            by_tag.setdefault(tag, Tally()).add(outcome)
    with_findings = sum(bool(o.runtime) for o in outcomes if o.error is None)
    codes: dict[str, int] = {}
    for outcome in outcomes:
        for _, code in outcome.runtime:
            codes[code] = codes.get(code, 0) + 1
    lines = [
        total.sentence(),
        f"ground truth: {with_findings} programs with findings, "
        f"{len(outcomes) - with_findings - total.errors} clean; "
        + ", ".join(f"{code} x{n}" for code, n in sorted(codes.items())),
        "",
        f"{'mechanism':<22} {'programs':>8} {'agree':>6} {'misses':>7} {'false+':>7} {'errors':>7}",
    ]
    for tag, tally in sorted(by_tag.items(), key=lambda item: (-(item[1].programs - item[1].agree), item[0])):
        lines.append(
            f"{tag:<22} {tally.programs:>8} {tally.agree:>6} {tally.misses:>7} "
            f"{tally.false_positives:>7} {tally.errors:>7}"
        )
    return "\n".join(lines)


def keep(outcomes: Sequence[Outcome], directory: Path) -> None:
    """Write each failing program out; the differences go after the code, so lines stay the same."""
    directory.mkdir(parents=True, exist_ok=True)
    for outcome in outcomes:
        if outcome.agrees:
            continue
        notes = [
            f"tags: {', '.join(sorted(outcome.program.tags))}",
            f"runtime: {sorted(outcome.runtime)}",
            f"static: {sorted(outcome.static)}",
        ]
        if outcome.error:
            notes.append(f"error: {outcome.error}")
        trailer = "\n# differential " + "\n# differential ".join(notes) + "\n"
        (directory / f"{outcome.program.name}.py").write_text(outcome.program.source + trailer)


def shortest_failures(outcomes: Sequence[Outcome]) -> dict[str, Outcome]:
    """The shortest failing program per focus (or per tag, without focus): candidate minimal examples."""
    found: dict[str, Outcome] = {}
    for outcome in outcomes:
        if outcome.agrees:
            continue
        keys = [outcome.program.focus] if outcome.program.focus else sorted(outcome.program.tags)
        for key in keys:
            kept = found.get(key)
            if kept is None or len(outcome.program.source) < len(kept.program.source):
                found[key] = outcome
    return found


def all_tags(seed: int = 0, count: int = 400) -> list[str]:
    """Every mechanism tag the generator uses (collected from a fixed sample of programs)."""
    return sorted({tag for program in programs(seed, count) for tag in program.tags})


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--count", type=int, default=DEFAULT_COUNT, help=f"programs (default {DEFAULT_COUNT})"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--long", action="store_true", help=f"{LONG_COUNT} programs")
    parser.add_argument("--jobs", "-j", type=int, default=1, help="processes (default 1: TensorFlow once)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="write the failing programs to DIR")
    parser.add_argument(
        "--focus", action="append", default=[], metavar="TAG", help="only this mechanism (a+b: these two)"
    )
    parser.add_argument("--focus-all", action="store_true", help="--focus each mechanism in turn")
    parser.add_argument("--examples", action="store_true", help="print the shortest failing program per tag")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every failing program")
    parser.add_argument("--list-tags", action="store_true", help="print the mechanism tags and exit")
    parser.add_argument(
        "--sanity", action="store_true", help="check the ground truth on hand-checked programs"
    )
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    count = LONG_COUNT if args.long else args.count
    if args.list_tags:
        print("\n".join(all_tags()))
        return 0
    focus = all_tags() if args.focus_all else args.focus
    if args.worker is not None:
        work(args.seed, count, focus, args.jobs, args.worker)
        return 0
    if args.sanity:
        with RuntimeOracle() as oracle:
            problems = sanity(oracle)
        print("\n".join(problems) or f"ground truth right on all {len(HAND_CHECKED)} hand-checked programs")
        return 1 if problems else 0
    started = time.perf_counter()
    outcomes = run(args.seed, count, focus, args.jobs)
    elapsed = time.perf_counter() - started
    if args.verbose:
        for outcome in outcomes:
            if not outcome.agrees:
                print(describe(outcome), end="\n\n")
    if args.examples:
        for key, outcome in sorted(shortest_failures(outcomes).items()):
            print(f"=== shortest failing program for {key}")
            print(describe(outcome), end="\n\n")
    if args.keep:
        keep(outcomes, args.keep)  # before printing: a closed pipe must not lose the programs
    print(summary(outcomes))
    print(
        f"\n{len(outcomes)} programs in {elapsed:.1f} s ({args.jobs} process(es), TensorFlow import included)"
    )
    return 0 if all(outcome.agrees for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
