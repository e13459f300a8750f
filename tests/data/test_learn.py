"""The streaming pass's summaries merge into what data.read learns from the whole table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from descenso import data
from descenso.data.learn import combine, learned_schema, summarise
from descenso.data.sources import columns_from_frame


def learned(frame: pd.DataFrame, pieces: list[slice]) -> list:
    summaries = [summarise(columns_from_frame(frame.iloc[rows], "t"), "y", None, None) for rows in pieces]
    return learned_schema(combine(summaries, "t"), "y", None, None, "t").classes


def test_numeric_labels_merged_from_pieces_sort_as_numbers_like_read():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=40), "y": [10] * 20 + [2] * 20})
    expected = data.read(frame, target="y").classes
    assert expected == [2, 10]
    # One label per piece, and both labels in both pieces: the merge sorts 2 before 10 (as text
    # "10" < "2", which made 2 the positive class of a stream and 10 that of read()).
    assert learned(frame, [slice(0, 20), slice(20, 40)]) == expected
    assert learned(frame, [slice(0, 30), slice(10, 40)]) == expected
    assert learned(frame.iloc[::-1], [slice(0, 20), slice(20, 40)]) == expected


def test_text_labels_still_sort_as_text():
    frame = pd.DataFrame({"x": np.arange(6.0), "y": ["yes", "no", "yes", "no", "no", "yes"]})
    assert learned(frame, [slice(0, 3), slice(3, 6)]) == data.read(frame, target="y").classes == ["no", "yes"]
