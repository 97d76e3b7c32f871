"""Issue 14: ``--fix`` must not damage what it does not own (links, owner, xattrs, the
input's bytes on standard input, an edit made while it runs)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from rnn_dropout_lint import files
from rnn_dropout_lint.engine import Settings
from rnn_dropout_lint.fix.apply import fix_file

BUGGY = (
    "from keras.layers import LSTM, Dropout\n"
    "x = LSTM(4, return_sequences=True)(x)\n"
    "x = Dropout(0.1)(x)\n"
    "y = LSTM(4)(x)\n"
)
FIXED = BUGGY.replace("Dropout(0.1)", "SpatialDropout1D(0.1)").replace(
    "LSTM, Dropout", "LSTM, SpatialDropout1D"
)


def fix(cli: str, *args: str, **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [cli, "check", "--isolated", "--fix", *args], capture_output=True, timeout=120, **kwargs
    )


def test_fix_writes_through_a_symlink(cli: str, tmp_path: Path) -> None:
    """The link used to be replaced by a regular file, the real target left buggy."""
    target = tmp_path / "real" / "model.py"
    target.parent.mkdir()
    target.write_text(BUGGY)
    link = tmp_path / "model.py"
    link.symlink_to(target)
    result = fix(cli, str(link))
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text() == FIXED
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".rnn-dropout-lint-")]


def test_fix_keeps_hard_links(cli: str, tmp_path: Path) -> None:
    first = tmp_path / "model.py"
    first.write_text(BUGGY)
    second = tmp_path / "same.py"
    os.link(first, second)
    result = fix(cli, str(first))
    assert result.returncode == 0, result.stderr
    assert first.stat().st_nlink == 2 and first.stat().st_ino == second.stat().st_ino
    assert second.read_text() == FIXED


@pytest.mark.skipif(not hasattr(os, "setxattr") or os.geteuid() != 0, reason="needs root and xattrs")
def test_fix_keeps_owner_group_mode_and_xattrs(cli: str, tmp_path: Path) -> None:
    """As root on another user's file, --fix made root the owner and dropped user xattrs."""
    model = tmp_path / "model.py"
    model.write_text(BUGGY)
    os.chown(model, 1234, 2345)
    model.chmod(0o640)
    try:
        os.setxattr(model, "user.origin", b"kept")
    except OSError:
        pytest.skip("this file system has no user xattrs")
    result = fix(cli, str(model))
    assert result.returncode == 0, result.stderr
    info = model.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o7777) == (1234, 2345, 0o640)
    assert os.getxattr(model, "user.origin") == b"kept"
    assert model.read_text() == FIXED


@pytest.mark.parametrize(
    "raw",
    [
        "# -*- coding: latin-1 -*-\nNAME = 'café'\n".encode("latin-1"),
        "\ufeffNAME = 'café'\r\n".encode(),
        ("# -*- coding: latin-1 -*-\n" + BUGGY + "NAME = 'café'\n").encode("latin-1"),
        ("\ufeff" + BUGGY.replace("\n", "\r\n")).encode(),
    ],
    ids=["latin1-unchanged", "bom-unchanged", "latin1-fixed", "bom-crlf-fixed"],
)
def test_stdin_fix_keeps_the_input_bytes_and_encoding(cli: str, raw: bytes) -> None:
    """``check - --fix`` re-encoded latin-1 input as UTF-8 (café became cafÃ©) and dropped a BOM."""
    result = fix(cli, "-", input=raw)
    assert result.returncode == 0, result.stderr
    if b"Dropout" not in raw:
        assert result.stdout == raw
    else:
        assert result.stdout == raw.replace(b"Dropout(0.1)", b"SpatialDropout1D(0.1)").replace(
            b"LSTM, Dropout", b"LSTM, SpatialDropout1D"
        )


def test_an_edit_made_before_the_rename_is_never_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An editor's save between the last content check and the rename was overwritten.
    The check now comes right before the rename and also compares the file's identity; a
    save there starts the fix again on what the file now holds."""
    model = tmp_path / "model.py"
    model.write_text(BUGGY)
    edited = BUGGY + "z = 1  # saved by an editor while --fix ran\n"
    carry_over = files._carry_over
    saves = []

    def save_then_carry_over(original: str, temporary: str, info: os.stat_result) -> bool:
        if not saves:  # the editor saves once, in the window before the final check
            saves.append(True)
            Path(original).write_text(edited)
        return carry_over(original, temporary, info)

    monkeypatch.setattr(files, "_carry_over", save_then_carry_over)
    outcome = fix_file(str(model), Settings(), write=True)
    assert outcome.error is None
    text = model.read_text()
    assert "saved by an editor" in text and "SpatialDropout1D(0.1)" in text
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".rnn-dropout-lint-")]
