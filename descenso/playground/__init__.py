"""The playground: train a network live in the browser, on built-in or your own data.

``descenso playground`` (or ``python -m descenso.playground``) starts a local
server; the page sends settings over a WebSocket and draws what descenso's own
engine computes: the output over the input plane, every neuron, the weights,
the loss curves and each step's gradients. Needs ``pip install 'descenso[playground]'``.
"""

from descenso.playground.export import export_model
from descenso.playground.server import create_app, make_server, serve

__all__ = ["create_app", "export_model", "make_server", "serve"]
