"""Data files for the command's tests, written into each test's temporary folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from .helpers import write_csv


@pytest.fixture
def houses(tmp_path: Path) -> Path:
    """300 rows: numbers, a text column ``city``, missing values and a yes/no target ``sold``."""
    rng = np.random.default_rng(0)
    rows = []
    for i in range(300):
        area, rooms, city = (
            rng.uniform(30, 150),
            int(rng.integers(1, 6)),
            str(rng.choice(["Lima", "Quito", "Cusco"])),
        )
        score = 0.04 * area + 0.5 * rooms + (1.5 if city == "Lima" else 0.0) - 5.5 + 0.3 * rng.normal()
        rows.append([f"{area:.1f}" if i % 37 != 5 else "", rooms, city, "yes" if score > 0 else "no"])
    return write_csv(tmp_path / "houses.csv", ["area", "rooms", "city", "sold"], rows)


@pytest.fixture
def ring(tmp_path: Path) -> Path:
    """Binary data with two numeric features (a disc inside a ring), labels 'in'/'out'."""
    rng = np.random.default_rng(1)
    X = rng.uniform(-1.5, 1.5, size=(300, 2))
    labels = np.where(np.hypot(X[:, 0], X[:, 1]) < 0.9, "in", "out")
    rows = [[f"{a:.4f}", f"{b:.4f}", label] for (a, b), label in zip(X, labels, strict=True)]
    return write_csv(tmp_path / "ring.csv", ["x1", "x2", "label"], rows)


@pytest.fixture
def regression(tmp_path: Path) -> Path:
    """y = 2a - b + 0.5 c^2 + noise, 300 rows."""
    rng = np.random.default_rng(2)
    X = rng.normal(size=(300, 3))
    y = 2 * X[:, 0] - X[:, 1] + 0.5 * X[:, 2] ** 2 + 0.1 * rng.normal(size=300)
    rows = [[*(f"{v:.4f}" for v in x), f"{t:.4f}"] for x, t in zip(X, y, strict=True)]
    return write_csv(tmp_path / "reg.csv", ["a", "b", "c", "y"], rows)


def penguin_rows(n: int = 333, seed: int = 0) -> tuple[list[str], list[list[object]]]:
    """A table shaped like palmerpenguins: four measurements, a text ``species``, a binary ``sex``."""
    rng = np.random.default_rng(seed)
    species = rng.choice(["Adelie", "Chinstrap", "Gentoo"], size=n)
    male = rng.random(n) < 0.5
    kind = np.select([species == "Chinstrap", species == "Gentoo"], [1.0, 2.0], 0.0)
    columns = {
        "bill_length_mm": 39 + 5 * kind + 3 * male + rng.normal(0, 2, n),
        "bill_depth_mm": 18 - 2 * (kind == 2) + 1.2 * male + rng.normal(0, 0.8, n),
        "flipper_length_mm": 190 + 12 * kind + 6 * male + rng.normal(0, 5, n),
        "body_mass_g": 3700 + 700 * (kind == 2) + 500 * male + rng.normal(0, 250, n),
    }
    header = [*columns, "species", "sex"]
    rows = [
        [*(f"{columns[c][i]:.1f}" for c in columns), species[i], "male" if male[i] else "female"]
        for i in range(n)
    ]
    return header, rows


@pytest.fixture
def penguins(tmp_path: Path) -> Path:
    """``penguins.csv``: 333 rows like palmerpenguins (numbers, a text ``species``, target ``sex``)."""
    return write_csv(tmp_path / "penguins.csv", *penguin_rows())
