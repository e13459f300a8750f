"""descenso: deep learning from first principles on NumPy.

Find ``theta <- argmin 1/|D| sum loss(y, f_theta(x))`` by gradient descent, with
every derivative computed by descenso's own reverse-mode autodiff.

Examples
--------
>>> import descenso as ds
>>> w = ds.tensor([0.5, -1.0], requires_grad=True)
>>> loss = ((w * 2.0 - 1.0) ** 2).mean()
>>> loss.backward()
>>> w.grad
array([ 0., -6.], dtype=float32)
"""

from descenso import data, datasets, features, linear_models, losses, metrics, nn, ops, optim, testing
from descenso.compile import CaptureError, CompiledStep, CompileWarning, compile_step
from descenso.creation import ones, rand, randn, tensor, zeros
from descenso.diagnosis import Diagnosis, DiagnosisWarning, doctor
from descenso.divergence import Divergence
from descenso.grad_mode import enable_grad, is_grad_enabled, no_grad
from descenso.history import History
from descenso.lab import compare_representations
from descenso.ops import (
    abs,
    add,
    broadcast_to,
    clip,
    concatenate,
    div,
    exp,
    leaky_relu,
    linear,
    linear_relu,
    log,
    log_sigmoid,
    matmul,
    max,
    maximum,
    mean,
    min,
    minimum,
    mul,
    neg,
    pow,
    relu,
    reshape,
    sigmoid,
    softplus,
    sqrt,
    squeeze,
    stack,
    sub,
    sum,
    tanh,
    transpose,
    unsqueeze,
    where,
)
from descenso.serialize import ModelFileError
from descenso.stopping import (
    ConvergenceWarning,
    DivergenceError,
    EarlyStopping,
    GradientNorm,
    MaxEpochs,
    StoppingCriterion,
    TargetLoss,
    TimeBudget,
    Tolerance,
    TrainingInterrupted,
)
from descenso.tensor import Tensor
from descenso.trace import StepTrace, trace_step
from descenso.train import Callback, fit, penalty

__version__ = "0.1.0"

_LAZY = {"Regressor", "BinaryClassifier", "load", "estimators"}
_LAZY_MODULES = {"viz", "cli", "playground", "export", "serialize", "landscape"}


def __getattr__(name: str) -> object:
    """Import the estimators on first use: they may bring in scikit-learn's base classes."""
    if name in _LAZY:
        import importlib

        estimators = importlib.import_module("descenso.estimators")
        return estimators if name == "estimators" else getattr(estimators, name)
    if name in _LAZY_MODULES:  # import matplotlib, click, fastapi or onnx only inside their functions
        import importlib

        return importlib.import_module(f"descenso.{name}")
    raise AttributeError(f"module 'descenso' has no attribute {name!r}")


__all__ = [
    "Tensor", "tensor", "zeros", "ones", "randn", "rand", "no_grad", "enable_grad",
    "is_grad_enabled", "ops", "testing", "nn", "losses", "optim", "metrics", "ModelFileError",
    "linear_models", "fit", "penalty", "Callback", "History", "trace_step", "StepTrace", "MaxEpochs",
    "TimeBudget",
    "TargetLoss", "Tolerance", "GradientNorm", "EarlyStopping", "StoppingCriterion", "DivergenceError",
    "Divergence",
    "TrainingInterrupted", "ConvergenceWarning", "Regressor", "BinaryClassifier", "load", "estimators",
    "data", "datasets", "features", "compare_representations", "doctor", "Diagnosis", "DiagnosisWarning",
    "compile_step", "CompiledStep", "CaptureError", "CompileWarning",
    "abs", "add", "broadcast_to", "clip", "concatenate", "div", "exp", "leaky_relu", "linear",
    "linear_relu", "log",
    "log_sigmoid", "matmul", "max", "maximum", "mean", "min", "minimum", "mul", "neg", "pow",
    "relu", "reshape", "sigmoid", "softplus", "sqrt", "squeeze", "stack", "sub", "sum", "tanh",
    "transpose", "unsqueeze", "where",
]  # fmt: skip
