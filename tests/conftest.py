from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Most tests read the one-line ``text`` format; the default (``full``) is tested where it matters,
# with this variable removed from the command's environment (tests/test_output.py).
os.environ.setdefault("RNN_DROPOUT_LINT_OUTPUT_FORMAT", "text")
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _script(name: str) -> str:
    """An installed console script of the running environment."""
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed in this environment (pip install -e '.[test]')")
    return found


@pytest.fixture(scope="session")
def cli() -> str:
    return _script("rnn-dropout-lint")


@pytest.fixture(scope="session")
def flake8() -> str:
    return _script("flake8")


@pytest.fixture()
def clean_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--long", action="store_true", help="run the fuzz tests with many more examples")


def pytest_configure(config: pytest.Config) -> None:
    from hypothesis import HealthCheck, settings

    common = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}
    settings.register_profile("ci", max_examples=40, **common)
    settings.register_profile("long", max_examples=2000, **common)
    settings.load_profile("long" if config.getoption("--long") else "ci")
