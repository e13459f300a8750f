"""The playground in a real browser: Debian's Chromium driven by Playwright, against a live server.

Screenshots of each stage go to test-artifacts/playground/ (kept by CI, ignored by git).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pg_helpers import ARGS, ARTIFACTS, CHROMIUM

import descenso as ds
from descenso import datasets
from descenso.serialize import read_model_file

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def page(server: tuple[Any, str]) -> Iterator[Any]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium); "
                    "the browser tests need it and must not be skipped")  # fmt: skip
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1050}, accept_downloads=True)
        tab = context.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        tab.goto(server[1])
        yield tab
        browser.close()
        assert errors == [], f"JavaScript errors on the page: {errors}"


def live_session(server: tuple[Any, str]) -> Any:
    (live,) = server[0].config.app.state.sessions.values()
    return live.session


def number(page: Any, selector: str) -> float:
    return float(page.text_content(selector))


def wait_until(page: Any, expression: str, timeout: float = 20.0) -> None:
    """Poll a JavaScript expression until it is true. (``page.wait_for_function`` would compile the
    expression inside the page, which the page's Content-Security-Policy rightly forbids.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(f"() => Boolean({expression})"):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        time.sleep(0.1)


def eventually(condition: Any, timeout: float = 10.0) -> None:
    """Poll a condition on the server's side (messages from the page arrive a moment after the click)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the server did not reach the expected state in time"
        time.sleep(0.05)


def wait_number(page: Any, selector: str, above: float, timeout: float = 20.0) -> None:
    wait_until(page, f"Number(document.querySelector({selector!r}).textContent) > {above}", timeout)


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_circles_in_polar_coordinates_learn_live(page: Any, server: tuple[Any, str]) -> None:
    wait_until(page, "document.querySelector('#train-loss').textContent !== '–'")
    page.click("button.dataset[data-name='circles']")
    for feature in ("r", "theta", "x1", "x2"):  # switch r and θ on, then x1 and x2 off
        page.click(f".node[data-feature='{feature}']")
        page.wait_for_timeout(150)
    wait_until(page, "location.hash.includes('feat=r%2Ctheta&')")
    wait_until(page, "document.querySelectorAll('.column.inputs .feature.on').length === 2")
    eventually(lambda: live_session(server).config.features == ["r", "theta"])
    start_loss = number(page, "#train-loss")

    page.click("#play")
    wait_number(page, "#test-metric", 0.95)
    wait_number(page, "#epoch", 5)
    shot(page, "1-circles-polar-trained")
    assert number(page, "#train-loss") < 0.5 * start_loss
    points = page.get_attribute("#curve polyline", "points").split()
    first_y, last_y = float(points[0].split(",")[1]), float(points[-1].split(",")[1])
    assert last_y > first_y + 20  # SVG y grows downwards: the train-loss curve fell

    epoch_before = number(page, "#epoch")
    page.select_option("#lr", "0.01")
    wait_until(page, f"Number(document.querySelector('#epoch').textContent) > {epoch_before + 3}")
    session = live_session(server)
    eventually(lambda: session.optimizer.lr == 0.01 and session.config.lr == 0.01)  # the server got it ...
    assert session.epoch > epoch_before  # ... without a reset: the epochs kept counting
    assert "lr=0.01" in page.evaluate("location.hash")
    page.click("#play")  # pause
    wait_until(page, "!document.querySelector('#play').classList.contains('active')")


def test_a_link_reproduces_the_run_in_another_tab(page: Any, server: tuple[Any, str]) -> None:
    sessions = server[0].config.app.state.sessions
    other = page.context.new_page()
    other.goto(page.url)  # the address holds every setting and both seeds
    eventually(lambda: len(sessions) == 2 and all(live.session is not None for live in sessions.values()))
    first, second = (live.session for live in sessions.values())
    eventually(lambda: second.config.features == ["r", "theta"])
    assert second.config == first.config and second.config.lr == 0.01
    assert np.array_equal(second.data.X_train, first.data.X_train)
    for name, value in first.initial_state.items():
        assert np.array_equal(second.initial_state[name], value), name
    assert second.epoch == 0 and first.epoch > 0  # two tabs, two independent runs
    other.close()
    eventually(lambda: len(sessions) == 1)  # a closed tab's session stops and is freed


def test_export_downloads_a_model_descenso_can_read(
    page: Any, server: tuple[Any, str], tmp_path: Path
) -> None:
    with page.expect_download() as download_info:
        page.click("#export")
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    assert page.input_value("#export-command").startswith("descenso train --dataset circles")
    assert "ds.load(" in page.input_value("#export-snippet")
    shot(page, "2-exported")

    _, metadata = read_model_file(path)
    assert metadata["estimator"] == "BinaryClassifier" and metadata["n_features_in"] == 2
    assert metadata["playground"]["config"]["features"] == ["r", "theta"]
    model = ds.load(path)
    X, y, _ = datasets.load("circles", n=400, noise=0.1, rng=12345)  # fresh points from the same distribution
    assert np.mean(model.predict(X) == y) > 0.95

    page.set_input_files("#model-file", str(path))  # and open it again in the page
    wait_until(page, f"document.querySelector('#status').textContent.includes({path.name!r})")
    eventually(lambda: live_session(server).loaded_from == path.name)
    assert "Loaded " + path.name in page.text_content("#upload-msg")
    wait_number(page, "#test-metric", 0.95)  # the saved weights, drawn at once


def test_an_uploaded_csv_is_used(page: Any, server: tuple[Any, str], tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 2))
    rows = [f"{170 + 10 * a:.2f},{60 + 8 * b:.2f},{'tall' if a + 0.3 * b > 0 else 'short'}" for a, b in X]
    csv = tmp_path / "people.csv"
    csv.write_text("height,weight,kind\n" + "\n".join(rows) + "\n")
    page.set_input_files("#csv-file", str(csv))
    page.wait_for_selector("#csv-columns:not(.hidden)")
    assert page.input_value("#csv-x1") == "height" and page.input_value("#csv-target") == "kind"
    page.click("#csv-use")
    wait_until(page, "document.querySelector('#upload-msg').textContent.includes('people.csv: 300')")
    wait_until(page, "location.hash.includes('data=csv')")
    eventually(lambda: live_session(server).data.column_names == ["height", "weight"])
    assert live_session(server).csv_name == "people.csv"
    page.click("#play")
    wait_number(page, "#test-metric", 0.9)
    page.click("#play")
    shot(page, "3-csv")


def test_divergence_is_explained_not_drawn(page: Any, server: tuple[Any, str]) -> None:
    # Regression on y = 2 x1 - 3 x2 + 0.5: with lr=1000 the squared error grows without bound.
    page.select_option("#task", "regression")
    wait_until(page, "location.hash.includes('data=plane')")
    page.click(".node[data-feature='x1']")
    wait_until(page, "location.hash.includes('feat=x1%2Cr%2Ctheta')")
    page.select_option("#optimizer", "sgd")
    wait_until(page, "location.hash.includes('opt=sgd')")
    page.select_option("#lr", "1000")
    page.click("#play")
    page.wait_for_selector("#status.error", timeout=20_000)
    message = page.text_content("#status")
    said = r"diverged and was paused: the (loss|weights).* \(lr=1000\.0\); (kept|restored) the"
    assert re.search(said, message)
    assert "The learning rate is too large for this data" in message
    assert message.count("smaller") == 1  # one suggestion, the hint's
    eventually(lambda: live_session(server).state == "diverged")
    assert not page.evaluate("document.querySelector('#play').classList.contains('active')")
    shot(page, "4-diverged")

    page.click("#lang-es")
    assert page.text_content(".counter span") == "Época"
    assert (
        "tasa de aprendizaje"
        in page.evaluate("document.querySelector('#lr').parentElement.textContent").lower()
    )
    shot(page, "5-spanish")


def test_the_page_sends_its_token_and_a_request_without_it_is_refused(
    page: Any, server: tuple[Any, str]
) -> None:
    token = server[0].config.app.state.token
    assert page.evaluate("() => document.querySelector('meta[name=\"descenso-token\"]').content") == token
    eventually(lambda: len(server[0].config.app.state.sessions) >= 1)  # its WebSocket got in with it
    statuses = page.evaluate(
        """async () => {
            const bare = await fetch("api/csv", { method: "POST", body: "a,b,y\\n1,2,0\\n" });
            const forged = await fetch("api/csv", { method: "POST", body: "a,b,y\\n1,2,0\\n",
                                                    headers: { "X-Descenso-Token": "guess" } });
            return [bare.status, (await bare.json()).error, forged.status];
        }"""
    )
    assert statuses[0] == 403 and "no session token" in statuses[1] and statuses[2] == 403
