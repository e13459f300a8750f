"""scikit-learn's base classes when scikit-learn is installed, a small stand-in when it is not.

The stand-in keeps what the estimators need from ``BaseEstimator``: ``get_params``
and ``set_params`` read from ``__init__``'s signature (so ``type(e)(**e.get_params())``
is a clone) and a ``repr`` listing the non-default parameters.
"""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["BaseEstimator", "ClassifierMixin", "RegressorMixin", "HAVE_SKLEARN"]

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin

    HAVE_SKLEARN = True
except ImportError:  # pragma: no cover - exercised only without scikit-learn
    HAVE_SKLEARN = False

    class BaseEstimator:  # type: ignore[no-redef]
        """``get_params`` / ``set_params`` / ``repr`` from the ``__init__`` signature."""

        @classmethod
        def _get_param_names(cls) -> list[str]:
            signature = inspect.signature(cls.__init__)
            return sorted(name for name in signature.parameters if name != "self")

        def get_params(self, deep: bool = True) -> dict[str, Any]:
            """The constructor arguments (nested ``name__sub`` ones too with ``deep=True``)."""
            params: dict[str, Any] = {}
            for name in self._get_param_names():
                value = getattr(self, name)
                if deep and hasattr(value, "get_params") and not isinstance(value, type):
                    params.update((f"{name}__{key}", sub) for key, sub in value.get_params().items())
                params[name] = value
            return params

        def set_params(self, **params: Any) -> BaseEstimator:
            """Set constructor arguments by name; unknown names raise ValueError."""
            valid = self._get_param_names()
            for name, value in params.items():
                if name not in valid:
                    raise ValueError(
                        f"Invalid parameter {name!r} for estimator {type(self).__name__}. "
                        f"Valid parameters are: {valid!r}."
                    )
                setattr(self, name, value)
            return self

        def __repr__(self) -> str:
            defaults = inspect.signature(type(self).__init__).parameters
            changed = [
                f"{name}={getattr(self, name)!r}"
                for name in self._get_param_names()
                if _differs(getattr(self, name), defaults[name].default)
            ]
            return f"{type(self).__name__}({', '.join(changed)})"

    class RegressorMixin:  # type: ignore[no-redef]
        """Marks a regressor (scikit-learn's ``_estimator_type``)."""

        _estimator_type = "regressor"

    class ClassifierMixin:  # type: ignore[no-redef]
        """Marks a classifier (scikit-learn's ``_estimator_type``)."""

        _estimator_type = "classifier"


def _differs(value: Any, default: Any) -> bool:
    try:
        return bool(value != default)
    except (TypeError, ValueError):  # arrays and other values without a plain truth value
        return value is not default
