"""The topic presets in a real browser: each link sets its run, trains, and explains itself in EN and ES.

Screenshots go to test-artifacts/playground/ (kept by CI, ignored by git).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from typing import Any

import pytest
from pg_helpers import ARGS, ARTIFACTS, CHROMIUM

from descenso.playground.presets import PRESETS
from descenso.playground.protocol import Config

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium); "
                    "the browser tests need it and must not be skipped")  # fmt: skip
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1200})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def with_query(url: str, **query: str) -> str:
    """``url`` with ``query`` added to its query string (the server's own parameters stay)."""
    extra = "&".join(f"{key}={value}" for key, value in query.items())
    base, _, fragment = url.partition("#")
    return f"{base}{'&' if '?' in base else '?'}{extra}" + (f"#{fragment}" if fragment else "")


def wait_until(page: Any, expression: str, timeout: float = 60.0) -> None:
    """Poll a JavaScript expression until it is true (the page's CSP forbids wait_for_function)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({expression})"):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        time.sleep(0.1)


def eventually(condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the server did not reach the expected state in time"
        time.sleep(0.05)


def sessions(server: tuple[Any, str]) -> list[Any]:
    """The server's live sessions (read while its thread may add or free one: retry then)."""
    for _ in range(100):
        try:
            lives = list(server[0].config.app.state.sessions.values())
        except RuntimeError:  # the dict changed size while it was copied
            continue
        return [live.session for live in lives if live.session is not None]
    raise AssertionError("the server's sessions kept changing")


def number(page: Any, selector: str) -> float:
    return float(page.text_content(selector))


@pytest.mark.parametrize("name", list(PRESETS))
def test_each_preset_link_sets_its_run_trains_and_explains_itself(
    page: Any, server: tuple[Any, str], name: str
) -> None:
    preset = PRESETS[name]
    page.goto(with_query(server[1], preset=name))
    page.wait_for_selector("#preset-box:not(.hidden)")
    wait_until(page, "document.querySelector('#train-loss').textContent !== '–'")
    assert page.text_content("#preset-title") == preset.title["en"]
    assert page.text_content("#preset-text") == preset.text["en"]
    assert page.text_content("#preset-example") == preset.example
    assert page.input_value("#preset") == name
    assert page.get_attribute("#preset-link", "href").endswith(f"?preset={name}")
    wait_until(page, f"location.hash.includes('preset={name}') && !location.search.includes('preset')")

    eventually(lambda: any(s.preset == name for s in sessions(server)))
    (session,) = [s for s in sessions(server) if s.preset == name]
    assert session.config == Config.model_validate(preset.config)  # data, features, network, optimizer

    start_loss = number(page, "#train-loss")
    page.click("#play")
    wait_until(page, "Number(document.querySelector('#epoch').textContent) >= 5")
    wait_until(page, f"Number(document.querySelector('#train-loss').textContent) < {0.8 * start_loss}")
    max_epochs = preset.config.get("stop", {}).get("max_epochs")
    if max_epochs:  # it stops by itself, and says why
        page.wait_for_selector("#status.stop", timeout=60_000)
        assert page.text_content("#status").startswith(f"Stopped: reached the maximum of {max_epochs} epochs")
    else:
        page.click("#play")  # pause
    wait_until(page, "!document.querySelector('#play').classList.contains('active')")
    page.screenshot(path=str(ARTIFACTS / f"preset-{name}-en.png"), full_page=True)
    two_parameters = not preset.config["layers"] and len(preset.config["features"]) == 1
    assert page.is_visible("#landscape-box") == two_parameters
    if two_parameters:  # the exact surface, its minimum and the path walked on it
        assert page.eval_on_selector_all("#landscape polyline.contour", "lines => lines.length") >= 10
        assert page.locator("#landscape .minimum").count() == 1
        walked = page.get_attribute("#landscape polyline.descent-path", "points").split()
        assert len(walked) > 50  # one point per step
        marker = page.locator("#landscape .minimum path")
        assert marker.count() == 1

    page.click("#lang-es")
    assert page.text_content("#preset-title") == preset.title["es"]
    assert page.text_content("#preset-text") == preset.text["es"]
    assert page.text_content("#preset-guide") == preset.guide["es"]
    labels = page.eval_on_selector_all("#preset option", "options => options.map(o => o.textContent)")
    assert labels[1:] == [p.title["es"] for p in PRESETS.values()]
    if two_parameters:
        assert "el peso de x₁" in page.text_content("#landscape")
    if max_epochs:  # the library's stop reason, in Spanish too
        status = page.text_content("#status")
        assert status.startswith(
            f"Detenido: se alcanzó el máximo de {max_epochs} épocas (pérdida de entrenamiento"
        )
    wait_until(page, "location.hash.includes('lang=es')")
    page.screenshot(path=str(ARTIFACTS / f"preset-{name}-es.png"), full_page=True)

    page.reload()  # the hash keeps the run and the preset's text
    page.wait_for_selector("#preset-box:not(.hidden)")
    assert page.text_content("#preset-text") == preset.text["es"]


def test_the_menu_switches_presets_and_free_play_hides_the_text(page: Any, server: tuple[Any, str]) -> None:
    page.goto(server[1])
    wait_until(page, "document.querySelector('#preset').options.length === 6")
    assert page.is_hidden("#preset-box")
    page.select_option("#preset", "representation")
    page.wait_for_selector("#preset-box:not(.hidden)")
    eventually(lambda: any(s.preset == "representation" for s in sessions(server)))
    wait_until(page, "location.hash.includes('feat=r%2Ctheta') && location.hash.includes('net=&')")
    assert page.text_content("#preset-text") == PRESETS["representation"].text["en"]
    page.select_option("#preset", "")
    page.wait_for_selector("#preset-box.hidden", state="attached")
    assert "preset=" not in page.evaluate("location.hash")


def test_logistic_regression_on_one_feature_gets_the_landscape_panel(
    page: Any, server: tuple[Any, str]
) -> None:
    base = server[1].partition("#")[0]
    page.goto(f"{base}#task=classification&data=moons&noise=0.3&feat=x1&net=&opt=sgd&lr=1&bs=5000")
    page.wait_for_selector("#landscape-box:not(.hidden)")
    wait_until(page, "document.querySelectorAll('#landscape polyline.contour').length >= 10")
    assert page.locator("#landscape .minimum").count() == 1  # moons are not separable on x1 alone
    page.click("#play")
    wait_until(page, "Number(document.querySelector('#epoch').textContent) >= 30")
    page.click("#play")
    wait_until(page, "document.querySelector('#landscape polyline.descent-path')?.getAttribute('points')"
                     ".split(' ').length > 30")  # fmt: skip
    page.screenshot(path=str(ARTIFACTS / "landscape-logistic.png"), full_page=True)
    page.select_option("#preset", "general-functioning")  # a hidden layer: no exact surface to draw
    page.wait_for_selector("#landscape-box.hidden", state="attached")
