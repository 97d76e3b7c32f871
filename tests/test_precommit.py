"""The pre-commit hooks, run by the real ``pre-commit`` against this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT, _script

BUGGY = """\
from keras import layers
from keras.models import Sequential

model = Sequential([layers.LSTM(8, return_sequences=True), layers.Dropout(0.2), layers.LSTM(4)])
"""


@pytest.fixture(scope="module")
def precommit_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")),
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
    )
    env.pop("PYTHONPATH", None)
    return env


def hook(env: dict[str, str], repo: Path, hook_id: str, *files: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            _script("pre-commit"),
            "try-repo",
            str(ROOT),
            hook_id,
            "--files",
            *(files or ["model.py"]),
            "--color",
            "never",
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def staged_project(tmp_path: Path, env: dict[str, str], name: str) -> Path:
    """A copy of the fixture project ``name`` in a new git repository, every file staged."""
    repo = tmp_path / "project"
    shutil.copytree(Path(__file__).parent / "projects" / name, repo)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    return repo


def test_check_fails_fix_rewrites_then_check_passes(tmp_path: Path, precommit_env: dict[str, str]) -> None:
    repo = tmp_path / "project"
    repo.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True, env=precommit_env)
    (repo / "model.py").write_text(BUGGY)
    subprocess.run(["git", "add", "model.py"], cwd=repo, check=True, env=precommit_env)

    check = hook(precommit_env, repo, "rnn-dropout-lint")
    assert check.returncode == 1, check.stdout + check.stderr
    assert "model.py:4:60: RDL001 Dropout(0.2) draws a new mask" in check.stdout
    assert "[*] 1 fixable with --fix." in check.stdout  # the failure says what the fix hook would do

    fixing = hook(precommit_env, repo, "rnn-dropout-lint-fix")
    assert fixing.returncode == 1, fixing.stdout + fixing.stderr  # pre-commit fails when files change
    assert "files were modified by this hook" in fixing.stdout
    assert "layers.SpatialDropout1D(0.2)" in (repo / "model.py").read_text()

    again = hook(precommit_env, repo, "rnn-dropout-lint")
    assert again.returncode == 0, again.stdout + again.stderr


def test_changed_files_read_their_project_and_the_project_hook_checks_it_all(
    tmp_path: Path, precommit_env: dict[str, str]
) -> None:
    repo = staged_project(tmp_path, precommit_env, "relative_pkg")

    # Only blocks.py changed: its dropout is judged as model.py (read from disk) uses it.
    alone = hook(precommit_env, repo, "rnn-dropout-lint", "pkg/blocks.py")
    assert alone.returncode == 1, alone.stdout + alone.stderr
    assert "pkg/blocks.py:19:12: RDL002" in alone.stdout
    assert "pkg/model.py:11:15" not in alone.stdout  # model.py was not passed: not reported

    # Only model.py changed: the project hook re-checks blocks.py, whose answer depends on it.
    whole = hook(precommit_env, repo, "rnn-dropout-lint-project", "pkg/model.py")
    assert whole.returncode == 1, whole.stdout + whole.stderr
    assert "pkg/blocks.py:19:12: RDL002" in whole.stdout
    assert "pkg/model.py:11:15: RDL001" in whole.stdout


def test_the_project_hook_runs_when_only_a_json_configuration_changed(
    tmp_path: Path, precommit_env: dict[str, str]
) -> None:
    repo = staged_project(tmp_path, precommit_env, "json_config")

    # configs/stack.json puts a Dropout between two LSTMs that models/stack.py builds.
    whole = hook(precommit_env, repo, "rnn-dropout-lint-project", "configs/stack.json")
    assert whole.returncode == 1, whole.stdout + whole.stderr
    assert "models/stack.py:12:23: RDL001" in whole.stdout
    # The hook on changed files takes Python files and notebooks only.
    alone = hook(precommit_env, repo, "rnn-dropout-lint", "configs/stack.json")
    assert alone.returncode == 0 and "no files to check" in alone.stdout, alone.stdout + alone.stderr
