"""The fix styles, importable without libcst (the CLI's --help lists them)."""

STYLES = ("spatial", "noise-shape", "merge")
