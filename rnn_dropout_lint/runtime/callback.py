"""``RnnDropoutCheck``: a Keras callback that checks the model when training starts."""

from __future__ import annotations

import os
import warnings
from typing import Any

from . import RnnDropoutError, RnnDropoutWarning, check_model, describe


def _keras() -> Any:
    """The Keras whose ``fit`` will call the callback: tf_keras under TF_USE_LEGACY_KERAS=1."""
    if os.environ.get("TF_USE_LEGACY_KERAS", "").lower() in ("1", "true", "yes"):
        import tf_keras

        return tf_keras
    import keras

    return keras


class RnnDropoutCheck(_keras().callbacks.Callback):  # type: ignore[misc]
    """``model.fit(..., callbacks=[RnnDropoutCheck()])`` warns when training starts if a dropout
    layer draws a new mask at every time step; ``RnnDropoutCheck(raise_error=True)`` stops it."""

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error
        self.findings: list[Any] = []

    def on_train_begin(self, logs: Any = None) -> None:
        self.findings = check_model(self.model)
        if not self.findings:
            return
        if self.raise_error:
            raise RnnDropoutError(describe(self.findings))
        warnings.warn(describe(self.findings), RnnDropoutWarning, stacklevel=2)
