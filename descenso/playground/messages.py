"""The library's messages in the page's two languages: stop reasons, divergence and errors.

descenso words its messages in English (``reached the maximum of 100 epochs ...``).
The page shows them in English or Spanish, so every message the server sends
carries both: :func:`translate` splits a message into its clauses (joined by
``"; "``) and renders each clause it knows in Spanish, keeping the numbers and
names as they are. A clause it does not know stays in English, so nothing is lost.

Examples
--------
>>> translate("reached the maximum of 100 epochs (train_loss 0.25)")["es"]
'se alcanzó el máximo de 100 épocas (pérdida de entrenamiento 0.25)'
"""

from __future__ import annotations

import re

# The metric names the playground's stop rules monitor (its held-out set is the "test" set).
_MONITORS = {
    "train_loss": "pérdida de entrenamiento",
    "val_loss": "pérdida de prueba",
    "objective": "objetivo",
}
_TASKS = {"classification": "clasificación", "regression": "regresión"}
_NUMBER = r"[-+\w.]+"  # 0.25, 1e+05, inf, NaN

# (pattern, Spanish template): a pattern matches one whole clause; the template names its groups.
_CLAUSES: list[tuple[str, str]] = [
    (
        rf"reached the maximum of (?P<n>\d+) epochs \(train_loss (?P<v>{_NUMBER})\)",
        "se alcanzó el máximo de {n} épocas (pérdida de entrenamiento {v})",
    ),
    (
        rf"(?P<m>\w+) (?P<v>{_NUMBER}) reached the target (?P<t>{_NUMBER}) at epoch (?P<e>\d+)",
        "{m} {v} alcanzó el objetivo {t} en la época {e}",
    ),
    (
        rf"(?P<m>\w+) did not improve for (?P<p>\d+) epochs \(best (?P<b>{_NUMBER}) at epoch (?P<be>\d+), "
        rf"now (?P<c>{_NUMBER}) at epoch (?P<e>\d+)\)",
        "{m} no mejoró en {p} épocas (la mejor, {b}, en la época {be}; ahora {c} en la época {e})",
    ),
    (
        rf"(?P<m>\w+) did not beat the baseline (?P<b>{_NUMBER}) in (?P<p>\d+) epochs "
        rf"\(now (?P<c>{_NUMBER}) at epoch (?P<e>\d+)\)",
        "{m} no superó la referencia {b} en {p} épocas (ahora {c} en la época {e})",
    ),
    (
        rf"restored the best weights, from epoch (?P<e>\d+) \((?P<m>\w+) (?P<v>{_NUMBER})\)",
        "se restauraron los mejores pesos, los de la época {e} ({m} {v})",
    ),
    (
        rf"the loss grew from (?P<a>{_NUMBER}) to (?P<b>{_NUMBER}), more than (?P<f>{_NUMBER}) times "
        rf"its first value, at epoch (?P<e>\d+)(?P<lr> \(lr=[^)]+\))?",
        "la pérdida creció de {a} a {b}, más de {f} veces su primer valor, en la época {e}{lr}",
    ),
    (
        r"the loss became (?P<w>NaN|inf|-inf) at epoch (?P<e>\d+)(?P<lr> \(lr=[^)]+\))?",
        "la pérdida se volvió {w} en la época {e}{lr}",
    ),
    (
        r"the weights (?P<n>'[^']+') became (?P<w>NaN|inf|-inf) at epoch (?P<e>\d+)(?P<lr> \(lr=[^)]+\))?",
        "los pesos {n} se volvieron {w} en la época {e}{lr}",
    ),
    (r"kept the weights from before that step", "se conservaron los pesos de antes de ese paso"),
    (
        r"restored the initial weights \(no epoch had finished before it diverged\)",
        "se restauraron los pesos iniciales (ninguna época había terminado antes de divergir)",
    ),
    (
        rf"restored the weights from the end of epoch (?P<e>\d+), the epoch with the lowest objective "
        rf"\((?P<v>{_NUMBER})\)",
        "se restauraron los pesos del final de la época {e}, la de menor objetivo ({v})",
    ),
    (
        r"try a smaller learning rate, e\.g\. (?P<s>lr=\S+)",
        "prueba una tasa de aprendizaje menor, p. ej. {s}",
    ),
    (r"try a smaller learning rate", "prueba una tasa de aprendizaje menor"),
    # the server's and the protocol's refusals
    (
        r"message of (?P<n>\d+) bytes refused",
        "mensaje de {n} bytes rechazado",
    ),
    (r"the limit is (?P<n>\d+) bytes", "el límite es de {n} bytes"),
    (r"message is not valid JSON: (?P<e>.+)", "el mensaje no es JSON válido: {e}"),
    (r"unknown message type (?P<k>.+)", "tipo de mensaje desconocido: {k}"),
    (r"expected one of (?P<o>.+)", "se esperaba uno de: {o}"),
    (
        r"send a 'config' message first: there is no run to control yet",
        "envía primero un mensaje 'config': todavía no hay entrenamiento que controlar",
    ),
    (
        r"(?P<n>\d+) playground tabs are already training",
        "ya hay {n} pestañas del laboratorio entrenando",
    ),
    (r"close one and reload this page", "cierra una y recarga esta página"),
    (
        r"training stopped: an internal error \(request id (?P<i>\w+)\)",
        "el entrenamiento se detuvo: un error interno (petición {i})",
    ),
    (
        r"this request failed: an internal error \(request id (?P<i>\w+)\)",
        "esta petición falló: un error interno (petición {i})",
    ),
    (r"the server's log has the details", "los detalles están en el registro del servidor"),
    (r"training stopped: (?P<e>.+)", "el entrenamiento se detuvo: {e}"),
    (
        r"too many messages: a tab may send (?P<n>\S+) a second \(bursts of (?P<b>\d+)\)",
        "demasiados mensajes: una pestaña puede enviar {n} por segundo (ráfagas de {b})",
    ),
    (r"the extra ones are dropped until it slows down", "los demás se descartan hasta que baje el ritmo"),
    (r"unknown preset (?P<p>'[^']*')", "tema desconocido {p}"),
    (r"choose one of (?P<o>.+)", "elige uno de: {o}"),
    (
        r"dataset (?P<d>'[^']*') is not a (?P<t>classification|regression) dataset",
        "el conjunto de datos {d} no es de {t}",
    ),
    (
        r"dataset 'csv' needs the 'csv' field: upload a file first",
        "el conjunto 'csv' necesita un archivo: súbelo primero",
    ),
    (
        r"the uploaded (?P<k>\w+) file is no longer on the server",
        "el archivo {k} subido ya no está en el servidor",
    ),
    (r"upload it again", "vuélvelo a subir"),
    (r"(?P<f>.+) has a header but no data rows", "{f} tiene cabecera pero ninguna fila de datos"),
    (r"upload a file with rows to train on", "sube un archivo con filas para entrenar"),
    (
        r"(?P<f>.+) needs two numeric feature columns and a target column",
        "{f} necesita dos columnas numéricas de entrada y una columna objetivo",
    ),
    (r"it has columns (?P<c>.+)", "tiene las columnas {c}"),
    (
        r"pick three different columns",
        "elige tres columnas distintas",
    ),
    (
        r"column (?P<c>'[^']*') holds (?P<k>\S+) values",
        "la columna {c} tiene valores {k}",
    ),
    (r"x1 and x2 must be numeric columns", "x1 y x2 deben ser columnas numéricas"),
    (r"column (?P<c>'[^']*') is not in the uploaded file", "la columna {c} no está en el archivo subido"),
    (r"it has (?P<c>.+)", "tiene {c}"),
    (
        r"the (?P<w>.+) is larger than the playground accepts \((?P<mb>[^)]+)\)",
        "{w} supera el tamaño que acepta el laboratorio ({mb})",
    ),
    (
        r"upload a sample of its rows, or train on the whole file: (?P<c>.+)",
        "sube una muestra de sus filas, o entrena con el archivo completo: {c}",
    ),
    (r"open it in Python with descenso\.load", "ábrelo en Python con descenso.load"),
    (r"the (?P<w>.+) is empty", "{w} está vacío"),
    (r"got (?P<g>.+)", "se recibió {g}"),
]

# The field errors of the protocol's checks ("config.lr: Input should be ... (got 0)").
_FIELD = re.compile(r"(?P<where>[\w.]+): (?P<message>.+) \(got (?P<got>.*)\)")
_FIELD_MESSAGES: list[tuple[str, str]] = [
    (r"Input should be less than or equal to (?P<n>\S+)", "debe ser menor o igual que {n}"),
    (r"Input should be greater than or equal to (?P<n>\S+)", "debe ser mayor o igual que {n}"),
    (r"Input should be less than (?P<n>\S+)", "debe ser menor que {n}"),
    (r"Input should be greater than (?P<n>\S+)", "debe ser mayor que {n}"),
    (r"Input should be a valid integer.*", "debe ser un número entero"),
    (r"Input should be a valid number.*", "debe ser un número"),
    (r"Input should be a finite number", "debe ser un número finito"),
    (r"Input should be a valid string", "debe ser un texto"),
    (r"Input should be a valid list", "debe ser una lista"),
    (r"Input should be a valid dictionary.*", "debe ser un objeto"),
    (r"Input should be (?P<o>'.+)", "debe ser {o}"),
    (r"Extra inputs are not permitted", "no es un campo admitido"),
    (r"Field required", "falta este campo"),
    (r"String should have at least (?P<n>\d+) characters?", "el texto debe tener al menos {n} caracteres"),
    (r"String should have at most (?P<n>\d+) characters?", "el texto debe tener como mucho {n} caracteres"),
    (r"String should match pattern (?P<p>.+)", "el texto debe seguir el patrón {p}"),
    (r"List should have at least (?P<n>\d+) items?.*", "la lista debe tener al menos {n} elementos"),
    (r"List should have at most (?P<n>\d+) items?.*", "la lista debe tener como mucho {n} elementos"),
    (r"each input feature may be chosen once", "cada entrada puede elegirse una sola vez"),
]


def _render(template: str, match: re.Match[str]) -> str:
    values = {key: (value or "") for key, value in match.groupdict().items()}
    if "m" in values:
        values["m"] = _MONITORS.get(values["m"], values["m"])
    if "t" in values:
        values["t"] = _TASKS.get(values["t"], values["t"])
    if "o" in values:
        values["o"] = values["o"].replace(" or ", " o ")
    return template.format(**values)


def _first(rules: list[tuple[str, str]], text: str) -> str | None:
    for pattern, template in rules:
        match = re.fullmatch(pattern, text)
        if match:
            return _render(template, match)
    return None


def _clauses(text: str) -> str:
    # A message is clauses joined by "; " or ". "; each one that is known is put in Spanish.
    clauses = re.split(r"(; |(?<!e\.g)\. )", text)
    return "".join(_first(_CLAUSES, part) or part for part in clauses)


def _spanish(text: str) -> str:
    field = _FIELD.fullmatch(text)
    if field:
        message = _first(_FIELD_MESSAGES, field["message"]) or _clauses(field["message"])
        return f"{field['where']}: {message} (se recibió {field['got']})"
    return _clauses(text)


def translate(text: str) -> dict[str, str]:
    """A message of the library in English and in Spanish.

    Parameters
    ----------
    text : str
        A stop reason, a divergence summary or an error, as descenso words it.

    Returns
    -------
    dict
        ``{"en": text, "es": ...}``; clauses without a known Spanish form stay in English.

    Examples
    --------
    >>> translate("the loss became NaN at epoch 3 (lr=10.0); kept the weights from before that step")["es"]
    'la pérdida se volvió NaN en la época 3 (lr=10.0); se conservaron los pesos de antes de ese paso'
    >>> translate("config.layers.0.neurons: Input should be less than or equal to 16 (got 99)")["es"]
    'config.layers.0.neurons: debe ser menor o igual que 16 (se recibió 99)'
    """
    return {"en": text, "es": _spanish(text)}
