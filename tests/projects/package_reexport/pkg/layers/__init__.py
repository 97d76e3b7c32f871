"""The blocks, reached as pkg.layers.blocks."""

from . import blocks
