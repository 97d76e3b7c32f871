"""libcst's native parse, without the per-node work its parser does not need.

libcst's nodes are frozen, slotted dataclasses: building one runs the generated
``__init__`` (an ``object.__setattr__`` call per field) and then ``__post_init__``,
which validates the node, a sixth of the parse time although the parser only builds
valid nodes (libcst's own PERF note says validation could be skipped there). For the
length of one parse, every node class gets a constructor that stores its fields
straight into their slots and validates nothing; the originals are put back before
anything else runs (:func:`fast_nodes`; :mod:`.ast_cst` builds its nodes under it too).
The lock keeps two of our threads from saving each other's constructors as the originals.
The one cost: another thread of the same process building libcst nodes in that instant
would skip their validation too.

Generating the constructors takes about 17 ms and saves a fifth of each parse, about
0.35 ms per kB of source: they are built once the process has parsed enough source to
pay for them, so checking one small file does not wait for them.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import libcst as cst

_PARSING = threading.Lock()
_SLOT = type(cst.Name.__dict__.get("value"))  # member_descriptor where libcst's nodes are slotted
_FAST: dict[type, Callable[..., None]] | None = None
_PAYBACK = 48_000  # characters parsed before the constructors pay for their generation
_parsed = 0


def parse_native(source: bytes | str) -> cst.Module:
    """``libcst.parse_module`` with the fast constructors in place."""
    with fast_nodes(len(source)):
        return cst.parse_module(source)


@contextmanager
def fast_nodes(size: int) -> Iterator[None]:
    """libcst's node classes without validation (and, once ``size`` characters of source
    have paid for them, with the fast constructors) for the length of the block."""
    global _FAST, _parsed
    with _PARSING:
        _parsed += size
        if _FAST is None and _parsed >= _PAYBACK:
            _FAST = _fast_constructors()
        fast = _FAST or {}
        saved = {cls: cls.__dict__["__init__"] for cls in fast}
        for cls, init in fast.items():
            cls.__init__ = init  # type: ignore[misc]
        validate = cst.CSTNode.__dict__.get("__post_init__")
        if validate is not None:  # classes left out still skip the validation
            cst.CSTNode.__post_init__ = _no_validation  # type: ignore[method-assign]
        try:
            yield
        finally:
            for cls, init in saved.items():
                cls.__init__ = init  # type: ignore[misc]
            if validate is not None:
                cst.CSTNode.__post_init__ = validate  # type: ignore[method-assign]


def _no_validation(self: cst.CSTNode) -> None:
    pass


def _fast_constructors() -> dict[type, Callable[..., None]]:
    """A constructor for each node class libcst exports whose fields are all slots and which
    validates in the base class only; any other class keeps its own."""
    found: dict[type, Callable[..., None]] = {}
    for cls in vars(cst).values():
        if not (isinstance(cls, type) and issubclass(cls, cst.CSTNode) and "__init__" in cls.__dict__):
            continue
        if not dataclasses.is_dataclass(cls):
            continue
        if any("__post_init__" in k.__dict__ for k in cls.__mro__ if k is not cst.CSTNode):
            continue  # more than the validation we skip
        init = _constructor(cls)
        if init is not None:
            found[cls] = init
    return found


def _constructor(cls: type) -> Callable[..., None] | None:
    """``def __init__(self, a, b=<default>, c=<missing>)``, the dataclass's signature, setting
    each slot in order."""
    names: dict[str, Any] = {"_MISSING": dataclasses.MISSING}
    params: list[str] = []
    keywords: list[str] = []
    body: list[str] = []
    for index, field in enumerate(dataclasses.fields(cls)):
        slot = next((k.__dict__[field.name] for k in cls.__mro__ if field.name in k.__dict__), None)
        if not field.init or type(slot) is not _SLOT:
            return None
        names[f"_set{index}"] = slot.__set__
        param = field.name
        if field.default is not dataclasses.MISSING:
            names[f"_default{index}"] = field.default
            param = f"{field.name}=_default{index}"
        elif field.default_factory is not dataclasses.MISSING:
            names[f"_factory{index}"] = field.default_factory
            param = f"{field.name}=_MISSING"
            body.append(f"    if {field.name} is _MISSING: {field.name} = _factory{index}()")
        (keywords if field.kw_only else params).append(param)
        body.append(f"    _set{index}(self, {field.name})")
    signature = "".join(f", {p}" for p in [*params, *(["*", *keywords] if keywords else [])])
    exec(f"def __init__(self{signature}):\n" + "\n".join(body or ["    pass"]), names)
    return names["__init__"]
