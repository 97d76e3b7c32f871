"""The README stays true to the code: rule reference, quick start, CI command."""

from __future__ import annotations

import re
from pathlib import Path

from rnn_dropout_lint.output import rule_reference
from rnn_dropout_lint.rules import RULES

from .conftest import ROOT

README = (ROOT / "README.md").read_text()


def test_rule_reference_is_generated_from_the_registry() -> None:
    section = README.split("<!-- rules:start -->\n", 1)[1].split("<!-- rules:end -->", 1)[0]
    assert section == rule_reference(RULES.values())


def test_quick_start_has_exactly_two_commands_and_ci_runs_the_second() -> None:
    quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", quick, flags=re.DOTALL)
    assert len(commands) == 2
    assert "check examples/" in commands[0]
    assert commands[1] in (ROOT / ".ci" / "run").read_text()


def _precommit_snippets() -> list[str]:
    section = README.split("### pre-commit", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"```yaml\n(.*?)```", section, flags=re.DOTALL)


def test_precommit_pins_name_the_release_of_this_version() -> None:
    from rnn_dropout_lint import __version__

    ours, through_flake8 = _precommit_snippets()
    assert f"    rev: v{__version__}\n" in ours
    assert f'rnn-dropout-lint@v{__version__}"' in through_flake8


def test_precommit_snippet_works_against_a_clone_of_this_repository(tmp_path: Path) -> None:
    """The snippet as written, with the clone's path for the URL. Its rev is used when the clone
    has that tag; before the release is tagged, the clone's HEAD commit stands in for it."""
    import os
    import subprocess

    from .conftest import _script
    from .test_precommit import BUGGY

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
    )

    def git(*args: str, cwd: Path) -> str:
        done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    clone = tmp_path / "clone"
    git("clone", "-q", str(ROOT), str(clone), cwd=tmp_path)
    snippet = _precommit_snippets()[0]
    rev = re.search(r"rev: (\S+)", snippet)[1]  # type: ignore[index]
    tags = git("tag", "--list", rev, cwd=clone)
    pinned = rev if tags else git("rev-parse", "HEAD", cwd=clone)
    config = re.sub(r"repo: \S+", f"repo: {clone}", snippet).replace(f"rev: {rev}", f"rev: {pinned}")
    project = tmp_path / "project"
    project.mkdir()
    git("init", "-q", cwd=project)
    (project / ".pre-commit-config.yaml").write_text(config)
    (project / "model.py").write_text(BUGGY)
    git("add", ".", cwd=project)
    result = subprocess.run(
        [_script("pre-commit"), "run", "--all-files", "--color", "never"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "model.py:4:60: RDL001" in result.stdout
