"""The demo in a real browser: Debian's Chromium driven by Playwright (no `playwright install`).

Types a word, generates, waits for the video; uploads keyframes, loads them into the table,
renders; provokes an input error and reads its message in the page; checks that gr.Model3D
draws the avatar's .ply (WebGL through SwiftShader). Screenshots go to the test's temporary folder.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pytest

from signspark.pose.sequence import PoseSequence

CHROMIUM = os.environ.get("SIGNSPARK_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
TIMEOUT_MS = 60_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                       reason=f"no Chromium at {CHROMIUM} (apt-get install chromium, or set SIGNSPARK_CHROMIUM)"),
]


@pytest.fixture(scope="module")
def server():
    from demo.app import build_demo, launch_kwargs

    demo = build_demo()
    kw = launch_kwargs(concurrency=2)
    demo.queue(**kw["queue"]).launch(prevent_thread_lock=True, server_name="127.0.0.1", ssr_mode=False, quiet=True,
                                     **kw["launch"])
    try:
        yield demo.local_url
    finally:
        demo.close()


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    sync_api.expect.set_options(timeout=TIMEOUT_MS)  # a shared 2-core machine can be slow to answer
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def page(browser, server):
    """A fresh page per test, so a 3D splat still loading from one test cannot slow the next."""
    pg = browser.new_page(viewport={"width": 1200, "height": 1500})
    pg.set_default_timeout(TIMEOUT_MS)
    pg.goto(server, wait_until="networkidle")
    try:
        yield pg
    finally:
        pg.close()


def _choose(page, elem_id: str, option: str) -> None:
    """Pick an option of a gr.Dropdown by its label."""
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option", name=option, exact=True).click()


def _set_number(page, elem_id: str, value) -> None:
    box = page.locator(f"#{elem_id} input[type=number]")
    box.fill(str(value))
    box.press("Enter")


def test_input_error_is_shown_in_the_page(page):
    from playwright.sync_api import expect

    # first, on a fresh page: a text-to-sign result loads a splat file that keeps a GPU-less browser busy
    page.locator("#text_in textarea").fill("")
    page.locator("#generate_btn").click()
    expect(page.get_by_text("Type a word or a short sentence to sign.").first).to_be_visible()
    assert page.get_by_text("Traceback").count() == 0


def test_text_to_sign_in_the_browser(page, tmp_path):
    from playwright.sync_api import expect

    page.locator("#text_in textarea").fill("hi")
    _set_number(page, "speed_in", 2)
    _set_number(page, "steps_in", 2)
    _choose(page, "backend_in", "Skeleton")
    page.locator("#generate_btn").click()
    status = page.locator("#status_out textarea")
    expect(status).to_have_value(re.compile(r"ASL: 'hi' - \d+ frames"))
    assert "rendered (skeleton)" in status.input_value()
    expect(page.locator("#video_out video")).to_have_count(1)
    # Chromium itself decodes the mp4 (H.264, yuv420p): metadata loads and the frames have a size
    page.wait_for_function(
        "() => { const v = document.querySelector('#video_out video');"
        " return v && v.readyState >= 1 && v.duration > 0 && v.videoWidth === 512; }", timeout=30_000)
    expect(page.locator("#avatar_out canvas")).to_have_count(1)
    files = page.locator("#files_out")
    for part in ("hi\n.npz", "hi.segments\n.json", "hi\n.eaf"):  # the file list shows name and suffix apart
        expect(files).to_contain_text(part)
    shot = tmp_path / "text_to_sign.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_keyframes_upload_in_the_browser(page, tmp_path):
    from playwright.sync_api import expect

    rng = np.random.default_rng(0)
    seq = PoseSequence.zeros(12, language="ASL", keyframes=np.array([0, 6, 11]))
    seq.params["right_hand_pose"] = rng.normal(0, 0.3, (12, 45)).astype(np.float32)
    path = seq.save(tmp_path / "poses.npz")

    page.get_by_role("tab", name="Keyframes to sign").click()
    page.locator("#kf_file input[type=file]").set_input_files(str(path))
    expect(page.locator("#kf_file").get_by_text("poses.npz")).to_be_visible()
    page.locator("#kf_load_btn").click()
    expect(page.locator("#kf_status_out textarea")).to_have_value(
        re.compile(r"^3 keyframe\(s\) from poses.npz"))
    expect(page.locator("#kf_table").get_by_text("file:6")).to_be_visible()
    _set_number(page, "kf_steps_in", 1)
    _choose(page, "kf_backend_in", "Skeleton")
    page.locator("#kf_render_btn").click()
    expect(page.locator("#kf_status_out textarea")).to_have_value(
        re.compile(r"^3 keyframe\(s\) held over 12 frames"))
    expect(page.locator("#kf_video_out video")).to_have_count(1)
    shot = tmp_path / "keyframes_to_sign.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_model3d_draws_the_avatar_ply(browser, server, tmp_path):
    """gr.Model3D's splat viewer opens the demo's (compact) .ply and draws the avatar: WebGL through
    Chromium's software renderer (SwiftShader) in a second browser."""
    from playwright.sync_api import expect
    from PIL import Image

    b = browser.browser_type.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--use-gl=angle", "--use-angle=swiftshader",
                                          "--enable-unsafe-swiftshader", "--disable-background-networking"])
    try:
        page = b.new_page(viewport={"width": 1200, "height": 1500})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(server, wait_until="networkidle")
        if not page.evaluate("() => !!document.createElement('canvas').getContext('webgl2')"):
            pytest.skip("this Chromium has no WebGL 2, not even through SwiftShader")
        page.locator("#text_in textarea").fill("hi")
        _choose(page, "backend_in", "Skeleton")
        page.locator("#generate_btn").click()
        expect(page.locator("#status_out textarea")).to_have_value(re.compile(r"ASL: 'hi' - \d+ frames"))
        shot = tmp_path / "model3d.png"
        lit = 0.0
        for _ in range(20):  # the viewer loads and sorts the splats in the background
            page.wait_for_timeout(1000)
            page.locator("#avatar_out canvas").screenshot(path=str(shot))
            img = np.asarray(Image.open(shot).convert("RGB")).astype(int)
            lit = float((img.max(-1) > 60).mean())
            if lit > 0.02:
                break
        assert lit > 0.02, f"the 3D viewer shows {lit:.3%} lit pixels"
    finally:
        b.close()
