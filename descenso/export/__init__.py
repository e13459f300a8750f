"""Export trained models to other runtimes.

``descenso.export.onnx`` builds ONNX graphs (``OnnxGraph``) and emits a whole prediction path from a
plain list of layer dicts (``export_sequential``); ``descenso.export.onnx_features`` translates the
Polar and Expression representations (atan2 and formula trees composed from ONNX primitives). Both
need the ``onnx`` package (``pip install 'descenso[onnx]'``), imported only when a graph is built.
"""
