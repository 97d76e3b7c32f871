"""A package that names its own submodule and re-exports through a chain of modules."""
from . import blocks
from .blocks import stacked_pair
from .settings import RATE, SEQUENCES
