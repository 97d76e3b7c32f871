"""Run the installed command on a real pseudo-terminal and read the screen it leaves."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def run_on_terminal(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> tuple[int, str]:
    """(exit status, raw output): stdout and stderr both go to one pty, as in a terminal."""
    controller, terminal = os.openpty()
    environment = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    environment.update({"TERM": "xterm", "COLUMNS": "120", **(env or {})})
    try:
        process = subprocess.Popen(
            args, stdin=terminal, stdout=terminal, stderr=terminal, cwd=cwd, env=environment
        )
    finally:
        os.close(terminal)
    chunks = []
    while True:
        try:
            data = os.read(controller, 65536)
        except OSError:  # EIO: every holder of the terminal has closed it
            break
        if not data:
            break
        chunks.append(data)
    os.close(controller)
    return process.wait(timeout=timeout), b"".join(chunks).decode("utf-8", "replace")


def screen(raw: str) -> list[str]:
    """The lines a terminal shows: ``\\r`` returns to the start, ``ESC[K`` erases to the end,
    colour codes change nothing on screen."""
    import re

    raw = re.sub(r"\x1b\[[0-9;]*m", "", raw)
    lines: list[str] = []
    for row in raw.replace("\r\n", "\n").split("\n"):
        line: list[str] = []
        cursor = 0
        for token in re.split(r"(\r|\x1b\[K)", row):
            if token == "\r":
                cursor = 0
            elif token == "\x1b[K":
                del line[cursor:]
            else:
                for char in token:
                    if cursor < len(line):
                        line[cursor] = char
                    else:
                        line.append(char)
                    cursor += 1
        lines.append("".join(line))
    return lines
