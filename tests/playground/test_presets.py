"""The topic presets: valid runs, one per topic of the notes, each pointing at a real script and guide."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pg_helpers import ORIGIN, WS, receive

from descenso.playground.presets import PRESETS
from descenso.playground.protocol import Config, PresetMessage, ProtocolError, parse_message

ROOT = Path(__file__).resolve().parents[2]


def test_there_is_one_preset_per_topic_of_the_notes_in_their_order() -> None:
    topics = "concept-erm representation gradient-descent general-functioning regression-classification"
    assert list(PRESETS) == topics.split()
    assert [p.title["en"][:2] for p in PRESETS.values()] == ["1.", "2.", "3.", "4.", "5."]


@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_is_a_valid_run_with_two_languages_and_real_references(name: str) -> None:
    preset = PRESETS[name]
    Config.model_validate(preset.config)  # a valid run
    for lang in ("en", "es"):
        assert len(preset.text[lang]) > 300 and "  " not in preset.text[lang]
        assert not re.search(r"\w- \w", preset.text[lang])  # no word cut at a line break
        path, _, anchor = preset.guide[lang].partition("#")
        headings = [line for line in (ROOT / path).read_text().splitlines() if line.startswith("## ")]
        slugs = [re.sub(r"[^\w\- ]", "", h[3:].lower()).replace(" ", "-") for h in headings]
        assert anchor in slugs, (anchor, slugs)
    assert preset.text["en"] != preset.text["es"]
    script, *args = preset.example.removeprefix("python ").split()
    assert (ROOT / script).is_file() and args[0] in (ROOT / script).read_text()  # the script has the option


def test_a_preset_message_is_checked() -> None:
    assert isinstance(parse_message('{"type": "preset", "name": "gradient-descent"}'), PresetMessage)
    with pytest.raises(ProtocolError, match="unknown preset 'gradient'; choose one of concept-erm, "):
        parse_message('{"type": "preset", "name": "gradient"}')


def test_the_server_starts_a_preset_and_names_it(client: Any) -> None:
    with client.websocket_connect(WS, headers=ORIGIN) as socket:
        socket.send_text(json.dumps({"type": "preset", "name": "representation"}))
        data = receive(socket, "data")
        snapshot = receive(socket, "snapshot")
    assert data["preset"] == "representation"
    assert data["config"]["features"] == ["r", "theta"] and data["config"]["layers"] == []
    assert [p["name"] for p in data["presets"]] == list(PRESETS)
    assert data["presets"][1]["text"]["es"] == PRESETS["representation"].text["es"]
    assert snapshot["epoch"] == 0 and len(snapshot["weights"]) == 1  # the linear model: one layer
