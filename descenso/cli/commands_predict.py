"""``descenso predict`` and ``descenso evaluate``: a saved model on new data."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import numpy as np

from descenso.cli import console, loss_scale, report, runs
from descenso.cli import missing as missing_values
from descenso.cli.errors import CLIError, ExitCode, user_errors


def load_model(path: str) -> Any:
    """The fitted estimator in a model file.

    Parameters
    ----------
    path : str
        A file written by ``descenso train`` (or ``estimator.save``).

    Returns
    -------
    Regressor or BinaryClassifier

    Raises
    ------
    CLIError
        Exit code 4 for a missing, unreadable, corrupt or foreign file.
    """
    from descenso.estimators import load

    fix = "pass the model.descenso file of a run folder, e.g. runs/latest/model.descenso"
    if not Path(path).is_file():
        what = "is a folder" if Path(path).is_dir() else "not found"
        raise CLIError(f"model file {what}: {path}", fix=fix, code=ExitCode.MODEL_FILE)
    with user_errors(ExitCode.MODEL_FILE, fix=fix):
        return load(path)


def read_frame(path: str) -> Any:
    """A CSV/Parquet file as a pandas DataFrame (descenso.data's reader); problems are data errors."""
    from descenso.data.sources import check_path, read_arrow

    with user_errors(ExitCode.DATA):
        return read_arrow(check_path(path)).to_pandas()


def check_columns(estimator: Any, frame: Any, source: str) -> Any:
    """The model's input columns of ``frame``, checked by name (or by count for unnamed training data).

    Parameters
    ----------
    estimator : Regressor or BinaryClassifier
        Fitted.
    frame : pandas.DataFrame
        New data; a column named like the training target is ignored.
    source : str
        How messages name the data (the file name).

    Returns
    -------
    pandas.DataFrame
        The input columns in the model's order, gaps and all (:mod:`descenso.cli.missing` decides
        which rows to use; :func:`model_input` makes them what the model takes).

    Raises
    ------
    CLIError
        Exit code 3 naming the missing columns. Columns the model does not take (an id, the true
        target) are left aside, not refused.
    """
    expected = getattr(estimator, "feature_names_in_", None)
    target = getattr(estimator, "target_name_", None)
    if expected is None:  # trained on plain arrays (a built-in dataset): columns by position
        columns = [c for c in frame.columns if c != target]
        if len(columns) != estimator.n_features_in_:
            raise CLIError(
                f"{source} has {len(columns)} columns; the model takes {estimator.n_features_in_} "
                "(it was trained on unnamed columns, so they are taken by position)",
                fix=f"pass a file with exactly {estimator.n_features_in_} feature columns",
            )
        return frame[columns]
    expected = [str(name) for name in expected]
    missing = [name for name in expected if name not in frame.columns]
    if missing:
        raise CLIError(f"{source} lacks the model's input column(s): {', '.join(missing)}",
                       fix=f"pass a file with the columns: {', '.join(expected)}")  # fmt: skip
    return frame[expected]


def model_input(estimator: Any, features: Any) -> Any:
    """``features`` as the model takes them: the table, or a float32 array for unnamed columns."""
    if getattr(estimator, "feature_names_in_", None) is None:
        return features.to_numpy(dtype=np.float32)
    return features.reset_index(drop=True)


def probability_column(estimator: Any, taken: Any) -> str:
    """``probability_<positive class>``, the column holding ``P(y = classes_[1])``.

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> from descenso.cli.commands_predict import probability_column
    >>> probability_column(SimpleNamespace(classes_=np.array(["female", "male"])), taken={})
    'probability_male'
    """
    name = f"probability_{estimator.classes_[1]}"
    while name in taken:
        name += "_"
    return name


def other_columns(estimator: Any, frame: Any) -> list[str]:
    """The columns of ``frame`` that are not the model's inputs (an id, the true target ...)."""
    expected = getattr(estimator, "feature_names_in_", None)
    if expected is None:
        return []
    inputs = {str(name) for name in expected}
    return [str(c) for c in frame.columns if str(c) not in inputs]


def predict_quietly(estimator: Any, X: Any, unknown: str) -> tuple[Any, Any]:
    """Predictions and (binary) probabilities; the library's data warnings become ``warning:`` lines."""
    import warnings

    from descenso.cli.inputs import show_warnings

    estimator.handle_unknown = unknown  # what a category never seen in training does
    with warnings.catch_warnings(record=True) as caught, user_errors(ExitCode.DATA):
        warnings.simplefilter("always")
        predictions = estimator.predict(X)
        proba = estimator.predict_proba(X)[:, 1] if hasattr(estimator, "predict_proba") else None
    show_warnings(caught)
    return predictions, proba


UNKNOWN = click.option(
    "--unknown",
    type=click.Choice(["warn", "error", "ignore"]),
    default="warn",
    show_default=True,
    help="A text value never seen in training: warn (naming column, value and rows), refuse, or ignore.",
)


@click.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="CSV file to write (default: stdout).")
@click.option("--keep", metavar="COLS", default=None,
              help="Comma-separated columns of DATA to write next to the predictions, e.g. id "
                   "(default: every column).")  # fmt: skip
@UNKNOWN
@missing_values.OPTION
def predict(
    model: str, data: str, output: str | None, keep: str | None, unknown: str, missing: str | None
) -> None:
    """Predict DATA (CSV or Parquet) with MODEL; write the rows with a prediction column.

    \b
    Binary models add the probability of the positive class, named after it (probability_yes).
    DATA needs the columns the model was trained on; other columns (an id, the true target) are
    not inputs: they are written next to the predictions (only those named with --keep).
    A row with missing values follows the model's rule (train --missing): refused, written with an
    empty prediction (drop), or filled with the training means (mean).
    Example: descenso predict runs/latest/model.descenso new.csv --keep id -o preds.csv
    """
    estimator = load_model(model)
    frame = read_frame(data)
    kept = (
        [str(c) for c in frame.columns] if keep is None else [c.strip() for c in keep.split(",") if c.strip()]
    )
    absent = [c for c in kept if c not in frame.columns]
    if absent:
        raise CLIError(
            f"--keep names column(s) {Path(data).name} does not have: {', '.join(absent)}",
            fix=f"choose from: {', '.join(map(str, frame.columns))}",
            code=ExitCode.USAGE,
        )
    rule = missing_values.resolve(estimator, missing)
    features = check_columns(estimator, frame, Path(data).name)
    used = missing_values.rows_to_use(rule, features, data, predicting=True)
    predictions, proba = predict_quietly(estimator, model_input(estimator, features[used]), unknown)
    columns: dict[str, list[Any]] = {c: frame[c].tolist() for c in kept}
    columns["prediction"] = _spread(np.asarray(predictions).tolist(), used)
    if proba is not None:
        columns[probability_column(estimator, columns)] = _spread(np.round(proba, 6).tolist(), used)
    if output is None:
        click.echo(runs.csv_text(columns), nl=False)
        return
    with user_errors(ExitCode.DATA, fix="check that the output folder exists and is writable"):
        runs.write_csv(output, columns)
    console.info(f"wrote {int(used.sum())} predictions to {output}")


def _spread(values: list[Any], used: np.ndarray) -> list[Any]:
    """One cell per row of the file: the values in the rows used, None (an empty cell) elsewhere."""
    cells: list[Any] = [None] * len(used)
    for row, value in zip(np.flatnonzero(used), values, strict=True):
        cells[row] = value
    return cells


@click.command()
@click.argument("model", type=click.Path(dir_okay=False))
@click.argument("data", type=click.Path(dir_okay=False))
@click.option(
    "--target", "-t", metavar="COL", help="The target column (default: the one the model was trained on)."
)
@click.option("--report", "report_dir", type=click.Path(file_okay=False),
              help="Folder to write metrics.json and the plots into.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as one JSON line.")
@UNKNOWN
@missing_values.OPTION
def evaluate(
    model: str,
    data: str,
    target: str | None,
    report_dir: str | None,
    as_json: bool,
    unknown: str,
    missing: str | None,
) -> None:
    """Evaluate MODEL on labelled DATA: print the metrics, and write plots with --report.

    Rows with missing values follow the model's rule (train --missing), unless --missing says
    otherwise; a row without a label is never scored.
    """
    estimator = load_model(model)
    frame = read_frame(data)
    target = target or getattr(estimator, "target_name_", None)
    if not target:
        raise CLIError("the model does not know its target column", fix="pass --target COLUMN")
    if target not in frame.columns:
        columns_text = ", ".join(map(str, frame.columns))
        raise CLIError(
            f"target column '{target}' not found in {Path(data).name}; columns are: {columns_text}",
            fix="pass the right column with --target",
        )
    rule = missing_values.resolve(estimator, missing)
    features = check_columns(estimator, frame.drop(columns=[target]), Path(data).name)
    used = missing_values.rows_to_use(rule, features, data, target=frame[target])
    labels, frame = frame[target][used], frame[used]
    binary = hasattr(estimator, "classes_")
    predicted, proba = predict_quietly(estimator, model_input(estimator, features[used]), unknown)
    with user_errors(ExitCode.DATA):
        if binary:
            from descenso.data.sources import rows_text

            lines, positions = missing_values.header_lines(data), np.flatnonzero(used)
            where = lambda bad: rows_text(positions[bad], lines)  # noqa: E731  (rows of the file)
            y_true = report.encode_labels(labels.to_numpy(), estimator.classes_, where)
            y_pred = report.encode_labels(predicted, estimator.classes_)
            metrics = report.binary_metrics(y_true, y_pred, proba)
        else:
            y_true, y_pred, proba = labels.to_numpy(dtype=float), np.asarray(predicted, dtype=float), None
            metrics = report.regression_metrics(y_true, y_pred)
    task = "binary" if binary else "regression"
    result: dict[str, Any] = {"task": task, "rows": len(frame), "target": target, "test": metrics,
                              "missing": rule, "rows_left_out": int((~used).sum())}  # fmt: skip
    if report_dir is not None:
        folder = Path(report_dir)
        with user_errors(ExitCode.DATA, fix="pass a writable folder to --report"):
            folder.mkdir(parents=True, exist_ok=True)
            names = tuple(str(c) for c in estimator.classes_) if binary else ("0", "1")
            # The figures of this file's rows; the training history is the run folder's loss.png.
            result["plots"] = report.write_plots(folder, task, y_true, y_pred, proba, class_names=names,  # type: ignore[arg-type]
                                                 split=Path(data).name)  # fmt: skip
            runs.write_json(folder / runs.METRICS_FILE, result)
    if as_json:
        console.result(json.dumps(runs.jsonable(result)))
        return
    rows = [
        [name, "-" if v is None else f"{v:.4f}"] for name, v in metrics.items() if not isinstance(v, list)
    ]
    columns = ["metric", "value"]
    if not binary:  # name the scale: the target's units (squared for the MSE)
        units = loss_scale.metric_units(target)
        rows, columns = [[*row, units.get(row[0], "-")] for row in rows], [*columns, "unit"]
    console.table(f"{Path(model).name} on {Path(data).name} ({len(frame)} rows)", columns, rows)
    if report_dir is not None:
        console.info(f"report written to {report_dir}: metrics.json, {', '.join(result['plots'])}")
