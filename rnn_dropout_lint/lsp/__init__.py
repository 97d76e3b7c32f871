"""The language server (``rnn-dropout-lint server``): an adapter around the core, like the CLI.

It needs the ``lsp`` extra (pygls); ``check`` and the rest never import this package.
"""

from __future__ import annotations

import sys


def main() -> int:
    try:
        from .server import serve
    except ImportError as exc:
        print(
            f"rnn-dropout-lint: error: the server needs the lsp extra ({exc.name} is missing): "
            "pip install 'rnn-dropout-lint[lsp]'",
            file=sys.stderr,
        )
        return 2
    serve()
    return 0
