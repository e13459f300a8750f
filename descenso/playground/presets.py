"""The playground's presets: one per topic of the course notes, each a run and its explanation.

A preset sets the data, the representation, the network and the optimizer, and
carries one paragraph in English and in Spanish that says what to look at; the
page offers them in a menu and as links (``/?preset=gradient-descent``). Each
names the example script that makes the topic's figure and the section of the
course guide (``docs/course-guide.md``, ``docs/guia-del-curso.md``) about it.

Examples
--------
>>> from descenso.playground.protocol import Config
>>> Config.model_validate(PRESETS["gradient-descent"].config).layers
[]
>>> PRESETS["gradient-descent"].example
'python examples/02_gradient_descent.py --landscape landscape.png'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Preset:
    """A run of the playground that shows one topic of the notes.

    Attributes
    ----------
    name : str
        The link's name: ``?preset=<name>``.
    title : dict
        The topic's name, ``{"en": ..., "es": ...}``.
    text : dict
        One paragraph per language: what the run shows and what to try.
    config : dict
        Fields of :class:`descenso.playground.protocol.Config` (the rest keep their defaults).
    example : str
        The command that makes the topic's figure from ``examples/``.
    guide : str
        The topic's section of the course guide, ``{"en": ..., "es": ...}`` paths with anchors.
    """

    name: str
    title: dict[str, str]
    text: dict[str, str]
    config: dict[str, Any]
    example: str
    guide: dict[str, str]

    def describe(self) -> dict[str, Any]:
        """The preset as the page receives it (JSON-able)."""
        return {"name": self.name, "title": self.title, "text": self.text, "example": self.example,
                "guide": self.guide}  # fmt: skip


def _paragraph(text: str) -> str:
    """One line from a paragraph written over several lines."""
    return " ".join(text.split())


_ALL = [
    Preset(
        name="concept-erm",
        title={"en": "1. Concept and objective (ERM)", "es": "1. Concepto y objetivo (MRE)"},
        text={
            "en": _paragraph(
                """
                Learning is choosing, among the functions f_θ a network can compute, the one
                with the lowest empirical risk: θ ← argmin_θ 1/|D| Σ loss(y, f_θ(x)). Here D is
                the training half of 200 noisy points whose target is a plane in x1 and x2, f_θ
                is a network with one hidden layer of 4 tanh neurons, and the loss is the
                squared error: the train loss shown is exactly that average. Press play and Adam
                lowers it step by step. The test loss is the same average on points the network
                never saw: it tells how well the minimiser generalises.
                """
            ),
            "es": _paragraph(
                """
                Aprender es elegir, entre las funciones f_θ que puede calcular una red, la de
                menor riesgo empírico: θ ← argmin_θ 1/|D| Σ loss(y, f_θ(x)). Aquí D es la mitad
                de entrenamiento de 200 puntos con ruido cuyo objetivo es un plano en x1 y x2,
                f_θ es una red con una capa oculta de 4 neuronas tanh y la pérdida es el error
                cuadrático: la pérdida de entrenamiento que se muestra es exactamente ese
                promedio. Pulsa entrenar y Adam la baja paso a paso. La pérdida de prueba es el
                mismo promedio sobre puntos que la red nunca vio: dice cuánto generaliza el
                minimizador.
                """
            ),
        },
        config={
            "task": "regression",
            "dataset": "plane",
            "points": 200,
            "noise": 0.1,
            "features": ["x1", "x2"],
            "layers": [{"neurons": 4, "activation": "tanh"}],
            "optimizer": "adam",
            "lr": 0.03,
            "batch_size": 16,
            "stop": {"max_epochs": 300},
        },
        example="python examples/01_concept_erm.py --plot risk.png",
        guide={
            "en": "docs/course-guide.md#1-concept-and-objective",
            "es": "docs/guia-del-curso.md#1-concepto-y-objetivo",
        },
    ),
    Preset(
        name="representation",
        title={"en": "2. Linear regression and representation", "es": "2. Regresión lineal y representación"},
        text={
            "en": _paragraph(
                """
                The same linear model (no hidden layer: one weight per input column and a bias)
                on two concentric circles, fed the polar coordinates r and θ instead of x1 and
                x2. In polar coordinates the class depends on the radius alone, so one threshold
                on r splits the circles and the test accuracy climbs to about 0.99. Now click x1
                and x2 on and r and θ off: no straight line in the plane separates the circles,
                and the same model stays near chance. How the data is represented matters; a
                hidden ReLU layer (+) learns such a representation by itself.
                """
            ),
            "es": _paragraph(
                """
                El mismo modelo lineal (sin capa oculta: un peso por columna de entrada y un
                sesgo) sobre dos círculos concéntricos, con las coordenadas polares r y θ en
                lugar de x1 y x2. En polares la clase depende solo del radio, así que un umbral
                sobre r separa los círculos y la exactitud de prueba sube hasta cerca de 0.99.
                Ahora activa x1 y x2 y desactiva r y θ: ninguna recta del plano separa los
                círculos y el mismo modelo se queda cerca del azar. La representación de los
                datos importa; una capa oculta ReLU (+) aprende esa representación por sí sola.
                """
            ),
        },
        config={
            "task": "classification",
            "dataset": "circles",
            "points": 400,
            "noise": 0.1,
            "features": ["r", "theta"],
            "layers": [],
            "optimizer": "adam",
            "lr": 0.1,
            "batch_size": 16,
        },
        example="python examples/06_representation.py --plot representation.png",
        guide={
            "en": "docs/course-guide.md#2-linear-regression-and-representation",
            "es": "docs/guia-del-curso.md#2-regresión-lineal-y-representación",
        },
    ),
    Preset(
        name="gradient-descent",
        title={"en": "3. Gradient descent (the landscape)", "es": "3. Descenso del gradiente (el paisaje)"},
        text={
            "en": _paragraph(
                """
                A line f(x) = w x1 + b has two parameters, so the loss over every (w, b) can be
                drawn: the landscape panel shows its exact contours, the exact minimum (the
                least-squares line) and the path plain gradient descent takes on it, one
                full-batch step at a time, each step against the derivative of the loss. With
                learning rate 0.3 it walks straight down into the minimum. Press reset and try
                0.03: it crawls, still short of the minimum after 100 steps. Try 1: each step
                overshoots by more than the last, since 1 is above 2/L ≈ 0.99 (L is the
                surface's largest curvature), and the loss grows. Try 3: the run diverges within
                five steps.
                """
            ),
            "es": _paragraph(
                """
                Una recta f(x) = w x1 + b tiene dos parámetros, así que se puede dibujar la
                pérdida en cada (w, b): el panel del paisaje muestra sus curvas de nivel
                exactas, el mínimo exacto (la recta de mínimos cuadrados) y el camino que
                recorre el descenso del gradiente, un paso con todos los datos cada vez, cada
                paso en contra de la derivada de la pérdida. Con tasa 0.3 baja derecho al
                mínimo. Pulsa reiniciar y prueba 0.03: avanza muy despacio y a los 100 pasos aún
                no llega al mínimo. Prueba 1: cada paso se pasa más que el anterior, porque 1 es
                mayor que 2/L ≈ 0.99 (L es la mayor curvatura de la superficie), y la pérdida
                crece. Prueba 3: diverge en cinco pasos.
                """
            ),
        },
        config={
            "task": "regression",
            "dataset": "plane",
            "points": 200,
            "noise": 0.1,
            "features": ["x1"],
            "layers": [],
            "optimizer": "sgd",
            "lr": 0.3,
            "batch_size": 5000,
            "stop": {"max_epochs": 100},
        },
        example="python examples/02_gradient_descent.py --landscape landscape.png",
        guide={
            "en": "docs/course-guide.md#3-gradient-descent",
            "es": "docs/guia-del-curso.md#3-descenso-del-gradiente",
        },
    ),
    Preset(
        name="general-functioning",
        title={
            "en": "4. General functioning (the step inspector)",
            "es": "4. Funcionamiento general (el inspector del paso)",
        },
        text={
            "en": _paragraph(
                """
                Every step of training is the same four moves: forward (the network computes its
                output), loss (compared with the targets of a mini-batch), backward (the
                derivative of the loss with respect to every weight) and update (each weight
                moves against its derivative). Press the step button (one mini-batch) and read
                the step inspector below: for each weight matrix and bias, the gradient from
                backward and the update SGD applied, which is exactly −0.1 times the gradient
                (the learning rate is 0.1). Then press play and watch one hidden layer of 4 ReLU
                neurons solve XOR, which no line can.
                """
            ),
            "es": _paragraph(
                """
                Cada paso del entrenamiento son los mismos cuatro movimientos: hacia delante (la
                red calcula su salida), pérdida (comparada con los objetivos de un mini-lote),
                hacia atrás (la derivada de la pérdida respecto de cada peso) y actualización
                (cada peso se mueve en contra de su derivada). Pulsa el botón de un paso (un
                mini-lote) y lee el inspector del paso, abajo: para cada matriz de pesos y cada
                sesgo, el gradiente de la pasada hacia atrás y la actualización que aplicó SGD,
                que es exactamente −0.1 veces el gradiente (la tasa es 0.1). Después pulsa
                entrenar y mira cómo una capa oculta de 4 neuronas ReLU resuelve el XOR, que
                ninguna recta puede.
                """
            ),
        },
        config={
            "task": "classification",
            "dataset": "xor",
            "points": 200,
            "noise": 0.05,
            "features": ["x1", "x2"],
            "layers": [{"neurons": 4, "activation": "relu"}],
            "optimizer": "sgd",
            "lr": 0.1,
            "batch_size": 8,
        },
        example="python examples/03_general_functioning.py --plot step.png",
        guide={
            "en": "docs/course-guide.md#4-general-functioning",
            "es": "docs/guia-del-curso.md#4-funcionamiento-general",
        },
    ),
    Preset(
        name="regression-classification",
        title={"en": "5. Regression and binary classification", "es": "5. Regresión y clasificación binaria"},
        text={
            "en": _paragraph(
                """
                The two tasks of the notes. Binary classification, shown here: the network
                outputs one number, a logit z; sigmoid(z) is the probability of the blue class
                (the colour of the plane), and the loss is the binary cross-entropy; accuracy
                counts the points on the right side of the 0.5 boundary. Two hidden layers of 8
                ReLU neurons bend that boundary around the two half-moons. Regression: switch
                the task to Regression and the same network predicts a number instead, the loss
                becomes the mean squared error and the score R² (1 is a perfect fit).
                """
            ),
            "es": _paragraph(
                """
                Las dos tareas de los apuntes. Clasificación binaria, la que se ve: la red da un
                número, un logit z; sigmoid(z) es la probabilidad de la clase azul (el color del
                plano) y la pérdida es la entropía cruzada binaria; la exactitud cuenta los
                puntos del lado correcto de la frontera 0.5. Dos capas ocultas de 8 neuronas
                ReLU curvan esa frontera alrededor de las dos medias lunas. Regresión: cambia la
                tarea a Regresión y la misma red predice un número; la pérdida pasa a ser el
                error cuadrático medio y la puntuación R² (1 es un ajuste perfecto).
                """
            ),
        },
        config={
            "task": "classification",
            "dataset": "moons",
            "points": 400,
            "noise": 0.1,
            "features": ["x1", "x2"],
            "layers": [{"neurons": 8, "activation": "relu"}, {"neurons": 8, "activation": "relu"}],
            "optimizer": "adam",
            "lr": 0.03,
            "batch_size": 16,
        },
        example="python examples/05_binary_classification.py --plot boundary.png",
        guide={
            "en": "docs/course-guide.md#5-regression-and-binary-classification",
            "es": "docs/guia-del-curso.md#5-regresión-y-clasificación-binaria",
        },
    ),
]

PRESETS: dict[str, Preset] = {preset.name: preset for preset in _ALL}
PRESET_NAMES = tuple(PRESETS)


def listing() -> list[dict[str, Any]]:
    """Every preset as the page receives it, in the order of the notes.

    Returns
    -------
    list of dict
        :meth:`Preset.describe` of each.
    """
    return [preset.describe() for preset in _ALL]
