"""The library's fixes in the command's words: ``missing='drop'`` becomes ``--missing drop``.

descenso.data and the estimators speak Python in their messages; the CLI shows the same advice as
flags. Both the settings check and the data step use it, so it sits below both.
"""

from __future__ import annotations

import re
import shlex

#: descenso.data speaks Python (``missing='drop'``); on the command line the same fix is a flag.
_AS_FLAGS = {
    "missing='drop'": "--missing drop",
    "missing='mean'": "--missing mean",
    "task='binary'": "--task binary",
    "task='regression'": "--task regression",
    "Increase max_epochs": "Increase --epochs",
    "raise lr": "raise --lr",
    "handle_unknown='error'": "--unknown error",
    "'ignore' to say nothing": "--unknown ignore to say nothing",
    "as target=": "with --target",
    "device='cpu'": "--device cpu",
}
_TARGET = re.compile(r"target='([^']*)'")


def as_flags(message: str) -> str:
    """Rewrite the Python spelling of a fix in a library message as the command's flags.

    Examples
    --------
    >>> from descenso.cli.flags import as_flags
    >>> as_flags("pass missing='drop' to leave those rows out")
    'pass --missing drop to leave those rows out'
    >>> as_flags("pass target='sale price' (the closest name)")
    "pass --target 'sale price' (the closest name)"
    """
    for python, flag in _AS_FLAGS.items():
        message = message.replace(python, flag)
    return _TARGET.sub(lambda found: f"--target {shlex.quote(found[1])}", message)
