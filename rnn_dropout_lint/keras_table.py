"""Everything the linter knows about Keras, in one table.

No other module names a Keras class or module. A qualified name such as
``tensorflow.keras.layers.LSTM`` is resolved by stripping a known Keras root
(``keras``, ``tensorflow.keras``, ``tf_keras``, ...) and looking its last
component up in :data:`SPECS`; teams add their own layers through
:meth:`KerasTable.extended`.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


class Role(enum.Enum):
    """How a layer behaves on the path from a dropout layer to a recurrent layer."""

    RECURRENT = "recurrent"  # consumes a sequence step by step
    DROPOUT = "dropout"  # per-element mask unless noise_shape says otherwise
    TRANSPARENT = "transparent"  # keeps the chain (normalisation, activations, noise)
    WRAPPER = "wrapper"  # TimeDistributed / Bidirectional: role comes from the wrapped layer
    CELL = "cell"  # an RNN cell: only meaningful inside RNN(...)
    INPUT = "input"  # Input / InputLayer: a source of tensors
    SEQUENTIAL = "sequential"  # keras.Sequential
    FUNCTIONAL = "functional"  # keras.Model(inputs, outputs): a model usable as a layer
    OTHER = "other"  # any other layer or callable: breaks the chain


@dataclass(frozen=True)
class LayerSpec:
    """The traits of one Keras class."""

    name: str
    role: Role
    # Positional parameters, in order, as far as the linter needs them.
    positional: tuple[str, ...] = ()
    # Rank of the sequence a recurrent layer reads: (batch, time, ...features).
    sequence_rank: int = 3
    # Takes ``dropout=`` (one mask per sequence in Keras 3).
    accepts_dropout: bool = False
    # LSTM/GRU: has a cuDNN kernel that ``recurrent_dropout`` disables.
    cudnn_kernel: bool = False
    # Dropout-family layers whose mask is shared over time whatever their arguments.
    time_shared: bool = False


_RNN_ARGS = ("units",)
_DROPOUT_ARGS = ("rate", "noise_shape", "seed")

_SPECS: tuple[LayerSpec, ...] = (
    # Recurrent layers.
    LayerSpec("LSTM", Role.RECURRENT, _RNN_ARGS, accepts_dropout=True, cudnn_kernel=True),
    LayerSpec("GRU", Role.RECURRENT, _RNN_ARGS, accepts_dropout=True, cudnn_kernel=True),
    LayerSpec("SimpleRNN", Role.RECURRENT, _RNN_ARGS, accepts_dropout=True),
    LayerSpec("RNN", Role.RECURRENT, ("cell", "return_sequences", "return_state")),
    LayerSpec("CuDNNLSTM", Role.RECURRENT, _RNN_ARGS),
    LayerSpec("CuDNNGRU", Role.RECURRENT, _RNN_ARGS),
    LayerSpec("ConvLSTM1D", Role.RECURRENT, ("filters", "kernel_size"), 4, accepts_dropout=True),
    LayerSpec("ConvLSTM2D", Role.RECURRENT, ("filters", "kernel_size"), 5, accepts_dropout=True),
    LayerSpec("ConvLSTM3D", Role.RECURRENT, ("filters", "kernel_size"), 6, accepts_dropout=True),
    # Dropout family.
    LayerSpec("Dropout", Role.DROPOUT, _DROPOUT_ARGS),
    LayerSpec("AlphaDropout", Role.DROPOUT, _DROPOUT_ARGS),
    LayerSpec("SpatialDropout1D", Role.DROPOUT, ("rate",), time_shared=True),
    LayerSpec("SpatialDropout2D", Role.DROPOUT, ("rate",), time_shared=True),
    LayerSpec("SpatialDropout3D", Role.DROPOUT, ("rate",), time_shared=True),
    # Shape-preserving layers that keep a dropout layer's noise flowing into the next one.
    *(
        LayerSpec(name, Role.TRANSPARENT)
        for name in (
            "BatchNormalization",
            "SyncBatchNormalization",
            "LayerNormalization",
            "GroupNormalization",
            "UnitNormalization",
            "Activation",
            "ActivityRegularization",
            "Masking",
            "GaussianNoise",
            "GaussianDropout",
            "Identity",
            "ReLU",
            "LeakyReLU",
            "PReLU",
            "ELU",
            "Softmax",
            "ThresholdedReLU",
        )
    ),
    # Wrappers.
    LayerSpec("TimeDistributed", Role.WRAPPER, ("layer",)),
    LayerSpec("Bidirectional", Role.WRAPPER, ("layer", "merge_mode")),
    # Cells, for RNN(cell).
    *(
        LayerSpec(name, Role.CELL, _RNN_ARGS, accepts_dropout=True)
        for name in (
            "LSTMCell",
            "GRUCell",
            "SimpleRNNCell",
            "PeepholeLSTMCell",
            "StackedRNNCells",
            "ConvLSTM1DCell",
            "ConvLSTM2DCell",
            "ConvLSTM3DCell",
        )
    ),
    LayerSpec("Input", Role.INPUT, ("shape", "batch_size", "name")),
    LayerSpec("InputLayer", Role.INPUT, ("input_shape", "batch_size")),
    LayerSpec("Sequential", Role.SEQUENTIAL, ("layers", "name")),
    LayerSpec("Model", Role.FUNCTIONAL, ("inputs", "outputs", "name")),
    LayerSpec("Functional", Role.FUNCTIONAL, ("inputs", "outputs", "name")),
)

SPECS: Mapping[str, LayerSpec] = {spec.name: spec for spec in _SPECS}

# Keras 1 keyword names the rules read, and the ones Keras 2 gave them (``Dropout(p=0.2)``).
KERAS1_KEYWORDS: Mapping[Role, Mapping[str, str]] = {Role.DROPOUT: {"p": "rate"}}

# Every module path under which Keras has been published.
KERAS_ROOTS: tuple[str, ...] = (
    "keras",
    "keras_core",
    "tf_keras",
    "tensorflow.keras",
    "tensorflow.python.keras",
    "tensorflow_core.keras",  # TensorFlow 2.0/2.1 wheels
    "tensorflow_core.python.keras",
    "tensorflow.compat.v1.keras",
    "tensorflow.compat.v2.keras",
    "tensorflow.contrib.keras",
)

# What a name the code uses but never binds (a snippet without its imports, a notebook
# whose imports ran in another kernel) conventionally stands for.
CONVENTIONAL_NAMES: Mapping[str, str] = {"keras": "keras", "tf": "tensorflow", "layers": "keras.layers"}

# Hyperparameter-search calls (KerasTuner ``hp.Int``, Optuna ``trial.suggest_int``, hyperopt
# ``hp.choice``, ``random.choice``): at run time their value is one of a few options the call
# names, so a builder that branches or loops on it is analysed once per option.
# "int": inclusive bounds (the first two int arguments, ``step=``); "choice": the first
# list argument; "bool": True or False.
SEARCH_SPACES: Mapping[str, str] = {
    "Int": "int",
    "suggest_int": "int",
    "Choice": "choice",
    "suggest_categorical": "choice",
    "choice": "choice",
    "Boolean": "bool",
}

# The bytes a file must contain before it can hold a finding (see engine.prefilter):
# some Keras import, and the name of a layer that a rule looks at.
_FRAMEWORKS = frozenset(root.split(".", 1)[0] for root in KERAS_ROOTS)

IMPORT_MARKERS: tuple[bytes, ...] = (b"keras", b"tensorflow")


@dataclass(frozen=True)
class KerasTable:
    """Lookup from qualified names to :class:`LayerSpec`, extensible by configuration."""

    specs: Mapping[str, LayerSpec] = field(default_factory=lambda: SPECS)
    # Exact qualified names of a team's own layers (``mylib.layers.AttentionLSTM``).
    custom: Mapping[str, LayerSpec] = field(default_factory=dict)

    @functools.cached_property
    def _anchor_names(self) -> frozenset[str]:
        """Keras names of the layers the rules start from (dropout family, recurrent)."""
        roles = (Role.DROPOUT, Role.RECURRENT)
        return frozenset(name for name, spec in self.specs.items() if spec.role in roles)

    @functools.cached_property
    def layer_markers(self) -> tuple[bytes, ...]:
        """Names of the layers the rules start from, the team's own too, computed once."""
        names = self._anchor_names | {name.rsplit(".", 1)[-1] for name in self.custom}
        return tuple(sorted(name.encode() for name in names))

    @functools.cached_property
    def bare_layer_name(self) -> re.Pattern[bytes]:
        """A dropout or recurrent layer name, or ``layers.``, not read as an attribute: what a
        file that never mentions Keras must hold to use an unbound Keras name (see ``unbound``)."""
        names = [*sorted(self._anchor_names), "layers"]
        alternatives = b"|".join(re.escape(name.encode()) for name in names)
        return re.compile(rb"(?<![\w.])(?:" + alternatives + rb")(?!\w)")

    def extended(self, *, recurrent: Iterable[str] = (), transparent: Iterable[str] = ()) -> KerasTable:
        custom = dict(self.custom)
        for qualname in recurrent:
            name = qualname.rsplit(".", 1)[-1]
            custom[qualname] = LayerSpec(name, Role.RECURRENT, _RNN_ARGS, accepts_dropout=True)
        for qualname in transparent:
            custom[qualname] = LayerSpec(qualname.rsplit(".", 1)[-1], Role.TRANSPARENT)
        return KerasTable(self.specs, custom)

    def is_keras_module(self, qualname: str) -> bool:
        """True for ``keras``, ``tensorflow.keras.layers`` and other Keras modules."""
        return any(qualname == root or qualname.startswith(root + ".") for root in KERAS_ROOTS)

    @staticmethod
    def is_framework(module: str) -> bool:
        """A module of the packages Keras ships in (``tensorflow``, ``keras``, ``tf_keras``...)."""
        return module.split(".", 1)[0] in _FRAMEWORKS

    def lookup(self, qualname: str) -> LayerSpec | None:
        """The spec of a fully qualified name, or None when it is not a known Keras class."""
        spec = self.custom.get(qualname)
        if spec is not None:
            return spec
        module, _, name = qualname.rpartition(".")
        if not module or not self.is_keras_module(module):
            return None
        spec = self.specs.get(name)
        if spec is None and name[:1].isupper():
            # Any other Keras class (Dense, Embedding, Conv1D, ...) breaks the chain.
            spec = LayerSpec(name, Role.OTHER)
        return spec

    def unbound(self, name: str) -> str | None:
        """The qualified name an unbound ``name`` conventionally stands for: a Keras module
        alias (``keras``, ``tf``, ``layers``) or a class the table knows (``LSTM``)."""
        if name in CONVENTIONAL_NAMES:
            return CONVENTIONAL_NAMES[name]
        return f"keras.{name}" if name in self.specs else None


DEFAULT_TABLE = KerasTable()


# Keras names can also come from the project's own modules: a star import or a relative one.
_PROJECT_IMPORT = re.compile(rb"^[ \t]*from[ \t]+\.|import[ \t]+\*", re.M)


def might_contain_finding(source: bytes, table: KerasTable = DEFAULT_TABLE) -> bool:
    """A cheap byte test: every finding needs a dropout or recurrent layer, and Keras imported
    (or names from another module of the project, which may re-export Keras), or a layer name
    a snippet uses without importing it (``LSTM(...)``, ``layers.Dropout``)."""
    if not any(m in source for m in table.layer_markers):
        return False
    markers: Iterable[bytes] = IMPORT_MARKERS
    if table.custom:
        markers = (*IMPORT_MARKERS, *(q.encode() for q in table.custom))
    return (
        any(m in source for m in markers)
        or _PROJECT_IMPORT.search(source) is not None
        or table.bare_layer_name.search(source) is not None
    )
