"""Export trained models to other runtimes.

``descenso.export.onnx`` builds ONNX graphs (``OnnxGraph``) and emits a whole prediction path from a
plain list of layer dicts (``export_sequential``). It needs the ``onnx`` package
(``pip install 'descenso[onnx]'``), imported only when a graph is built.
"""
