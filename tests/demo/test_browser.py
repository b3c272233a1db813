"""The demo in a real browser: Debian's Chromium driven by Playwright (no `playwright install`).

Types a word, generates, waits for the video; uploads keyframes, loads them into the table,
renders; provokes an input error and reads its message in the page; checks that gr.Model3D
draws the avatar's .ply and plays the animated .glb (WebGL through SwiftShader); plays the
streamed video in the learning player and uses its controls (speed, loop, frame steps, the
slower replay, the highlighted letter); a round of fingerspelling practice. Screenshots go to
the test's temporary folder.
"""

from __future__ import annotations

import importlib.util
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
    _open(pg, server)
    try:
        yield pg
    finally:
        pg.close()


def _open(page, url: str) -> None:
    """Load the demo and wait until its players are ready (the page keeps a session heartbeat open,
    so there is no network idle to wait for)."""
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.SignSparKPlayers && window.SignSparKPlayers.t2s", timeout=TIMEOUT_MS)


def _player(page, name: str, expr: str):
    """Evaluate ``expr`` with ``p`` (the player's API) and ``v`` (its video) bound."""
    return page.evaluate(f"() => {{ const p = window.SignSparKPlayers[{name!r}]; const v = p && p.video; "
                         f"return {expr}; }}")


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
    expect(status).to_have_value(re.compile(r"ASL: 'hi' - \d+ frames.*rendered \(skeleton\)"))
    # Chromium itself decodes the mp4 (H.264, yuv420p), streamed into the learning player: frames have a size
    page.wait_for_function(
        "() => { const v = window.SignSparKPlayers.t2s.video;"
        " return v.readyState >= 2 && v.duration > 0 && v.videoWidth === 512; }", timeout=30_000)
    files = page.locator("#files_out")
    for part in ("hi\n.mp4", "hi\n.npz", "hi.segments\n.json", "hi\n.eaf", "hi\n.glb"):  # name and suffix apart
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
    # the file row (its name is drawn as two spans, stem and extension; the cell's accessible name is whole)
    expect(page.locator("#kf_file").get_by_role("cell", name="poses.npz")).to_be_visible()
    page.locator("#kf_load_btn").click()
    expect(page.locator("#kf_status_out textarea")).to_have_value(
        re.compile(r"^3 keyframe\(s\) from poses.npz"))
    expect(page.locator("#kf_table").get_by_text("file:6")).to_be_visible()
    _set_number(page, "kf_steps_in", 1)
    _choose(page, "kf_backend_in", "Skeleton")
    page.locator("#kf_render_btn").click()
    expect(page.locator("#kf_status_out textarea")).to_have_value(
        re.compile(r"^3 keyframe\(s\) held over 12 frames"))
    page.wait_for_function("() => { const v = window.SignSparKPlayers.kf2s.video;"
                           " return v.readyState >= 2 && v.duration > 0.4; }", timeout=30_000)
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
        _open(page, server)
        if not page.evaluate("() => !!document.createElement('canvas').getContext('webgl2')"):
            pytest.skip("this Chromium has no WebGL 2, not even through SwiftShader")
        page.locator("#text_in textarea").fill("hi")
        _choose(page, "backend_in", "Skeleton")
        page.locator("#generate_btn").click()
        expect(page.locator("#status_out textarea")).to_have_value(re.compile(r"ASL: 'hi' - \d+ frames.*rendered"))
        page.locator("#show_3d_btn").click()  # the viewers open on request
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


def test_streamed_video_plays_in_the_learning_player(page, tmp_path):
    """The first pieces play while the rest renders (Media Source Extensions), and the whole clip ends up there."""
    from playwright.sync_api import expect

    page.locator("#text_in textarea").fill("hello there")
    _set_number(page, "steps_in", 1)
    _choose(page, "backend_in", "Skeleton")
    page.locator("#generate_btn").click()
    page.wait_for_function("() => window.SignSparKPlayers.t2s.root.dataset.firstFrameMs", timeout=TIMEOUT_MS)
    assert _player(page, "t2s", "v.src.startsWith('blob:')")  # a MediaSource, fed piece by piece
    expect(page.locator("#status_out textarea")).to_have_value(re.compile(r"first frames shown after"))
    page.wait_for_function("() => { const p = window.SignSparKPlayers.t2s;"
                           " return p.root.dataset.finished && p.video.duration > 0; }", timeout=TIMEOUT_MS)
    page.wait_for_function("() => { const v = window.SignSparKPlayers.t2s.video; return v.ended || v.currentTime > 0.5; }",
                           timeout=TIMEOUT_MS)
    assert _player(page, "t2s", "p.root.dataset.streamError || ''") == ""
    status = page.locator("#status_out textarea").input_value()
    frames = int(re.search(r"- (\d+) frames", status).group(1))
    # the streamed video holds the whole clip (pieces appended in sequence, the stream ended)
    page.wait_for_function(f"() => Math.abs(window.SignSparKPlayers.t2s.video.duration - {frames / 25}) < 0.05",
                           timeout=TIMEOUT_MS)
    shot = tmp_path / "streamed.png"
    page.screenshot(path=str(shot), full_page=True)


def test_learning_controls(page):
    page.locator("#text_in textarea").fill("hello")
    _set_number(page, "steps_in", 1)
    _choose(page, "backend_in", "Skeleton")
    page.locator("#generate_btn").click()
    page.wait_for_function("() => { const p = window.SignSparKPlayers.t2s;"
                           " return p.root.dataset.finished && p.video.readyState >= 2; }", timeout=TIMEOUT_MS)
    player = page.locator("#player_out")
    # slow motion: a quarter of the speed, and the clock runs at a quarter
    player.get_by_role("button", name="0.25x").click()
    assert _player(page, "t2s", "v.playbackRate") == 0.25
    assert player.get_by_role("button", name="0.25x").get_attribute("aria-pressed") == "true"
    page.evaluate("() => { const v = window.SignSparKPlayers.t2s.video; v.currentTime = 0; return v.play(); }")
    t0 = _player(page, "t2s", "[v.currentTime, performance.now()]")
    page.wait_for_timeout(1200)
    t1 = _player(page, "t2s", "[v.currentTime, performance.now()]")
    rate = (t1[0] - t0[0]) / ((t1[1] - t0[1]) / 1000)
    assert 0.12 < rate < 0.35, rate
    # loop
    player.get_by_label("Loop").check()
    assert _player(page, "t2s", "v.loop") is True
    player.get_by_label("Loop").uncheck()
    # frame by frame
    player.get_by_role("button", name="One frame forward").click()
    page.wait_for_function("() => window.SignSparKPlayers.t2s.video.paused")
    page.evaluate("() => { const v = window.SignSparKPlayers.t2s.video; v.currentTime = 0.5 / 25; }")
    page.wait_for_timeout(200)
    for _ in range(3):
        player.get_by_role("button", name="One frame forward").click()
        page.wait_for_timeout(150)
    assert re.match(r"frame 4 / \d+", player.locator(".ssp-frame").inner_text())
    player.get_by_role("button", name="One frame back").click()
    page.wait_for_timeout(150)
    assert re.match(r"frame 3 / \d+", player.locator(".ssp-frame").inner_text())
    # replay, then a slower second pass
    player.get_by_role("button", name="1x", exact=True).click()
    player.get_by_role("button", name="Replay, then slower").click()
    at = page.wait_for_function("() => { const v = window.SignSparKPlayers.t2s.video;"
                                " return v.playbackRate === 0.5 && [v.currentTime]; }", timeout=TIMEOUT_MS).json_value()
    assert at[0] < 0.5  # the second pass, at half the speed, starts again from the beginning


def test_practice_in_the_browser(page, tmp_path):
    """A practice round: a word is signed (not shown), the answer gets letter-by-letter feedback, the word is then
    shown in the player with the letter being signed highlighted."""
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Fingerspelling practice").click()
    page.wait_for_function("() => window.SignSparKPlayers.practice")
    page.locator("#practice_new_btn").click()
    expect(page.locator("#practice_status_out textarea")).to_have_value(re.compile(r"ASL: a short word"))
    page.wait_for_function("() => { const v = window.SignSparKPlayers.practice.video;"
                           " return v.readyState >= 2 && v.duration > 0; }", timeout=TIMEOUT_MS)
    player = page.locator("#practice_player_out")
    assert player.locator(".ssp-text").inner_text() == ""  # the word is not given away
    chips = player.locator(".ssp-chip")
    assert chips.count() >= 2 and set(chips.all_inner_texts()) == {"?"}
    page.locator("#practice_answer_in input, #practice_answer_in textarea").first.fill("qqqq")
    page.locator("#practice_check_btn").click()
    expect(page.locator("#practice_result")).to_be_visible()
    expect(page.locator("#practice_score_out")).to_contain_text("0 of 1 word(s)")
    word = player.locator(".ssp-text").inner_text()
    assert 2 <= len(word) <= 4 and word in page.locator("#practice_result").inner_text()
    labels = chips.all_inner_texts()
    assert labels == list(word.upper())
    # the letter being signed is highlighted in the word, in step with the video
    cue = _player(page, "practice", "(() => { v.pause(); return null; })()")
    cues = page.evaluate("() => [...document.querySelectorAll('#practice_player_out .ssp-chip')].map(c => c.title)")
    start, end = (float(x) for x in re.search(r"([0-9.]+)\s*[-–]\s*([0-9.]+)", cues[1]).groups())
    page.evaluate(f"() => {{ const v = window.SignSparKPlayers.practice.video; v.currentTime = {(start + end) / 2}; }}")
    # the highlight follows the video's time updates: wait until it reaches the second letter
    page.wait_for_function("(want) => { const e = document.querySelector('#practice_player_out .ssp-chip.ssp-on');"
                           " return e !== null && e.textContent.trim() === want; }", arg=labels[1])
    assert player.locator(".ssp-text .ssp-on").inner_text().upper() == labels[1]
    assert player.locator(".ssp-chip.ssp-on").inner_text() == labels[1] and cue is None
    shot = tmp_path / "practice.png"
    page.screenshot(path=str(shot), full_page=True)


def test_model3d_plays_the_animated_glb(browser, server, tmp_path):
    """The demo's .glb viewer (gr.Model3D, Babylon.js) shows the avatar and plays its animation."""
    from playwright.sync_api import expect
    from PIL import Image

    b = browser.browser_type.launch(executable_path=CHROMIUM, headless=True,
                                    args=["--no-sandbox", "--use-gl=angle", "--use-angle=swiftshader",
                                          "--enable-unsafe-swiftshader", "--disable-background-networking"])
    try:
        page = b.new_page(viewport={"width": 1200, "height": 1500})
        page.set_default_timeout(TIMEOUT_MS)
        _open(page, server)
        if not page.evaluate("() => !!document.createElement('canvas').getContext('webgl2')"):
            pytest.skip("this Chromium has no WebGL 2, not even through SwiftShader")
        page.locator("#text_in textarea").fill("hello")
        _set_number(page, "steps_in", 1)
        _choose(page, "backend_in", "Skeleton")
        page.locator("#generate_btn").click()
        expect(page.locator("#status_out textarea")).to_have_value(re.compile(r"rendered \(skeleton\)"))
        page.locator("#show_3d_btn").click()

        def shot(name):  # below the viewer's label and buttons, which float over the canvas
            path = tmp_path / name
            page.locator("#glb_out canvas").screenshot(path=str(path))
            return np.asarray(Image.open(path).convert("RGB")).astype(int)[60:]

        covered, first = 0.0, None
        for _ in range(30):  # the viewer loads the file in the background
            page.wait_for_timeout(1000)
            first = shot("glb_a.png")
            covered = float((np.abs(first - 255).sum(-1) > 30).mean())
            if covered > 0.02:
                break
        assert covered > 0.02, f"the .glb viewer shows the avatar on {covered:.3%} of its canvas"
        changed = 0.0
        for _ in range(10):
            page.wait_for_timeout(400)
            changed = float((np.abs(shot("glb_b.png") - first).sum(-1) > 30).mean())
            if changed > 0.002:
                break
        assert changed > 0.002, "the avatar does not move: the animation does not play"
    finally:
        b.close()


@pytest.mark.skipif(importlib.util.find_spec("mediapipe") is None, reason="MediaPipe is not installed")
def test_video_to_sign_in_the_browser(page, signing_video, one_sign, monkeypatch, tmp_path):
    """Upload a video, capture it, see the avatar's video play beside it, send the keyframes to their tab."""
    from playwright.sync_api import expect

    from demo import handlers as H

    monkeypatch.setattr(H, "load_segmenter", lambda: one_sign)  # the server runs in this process
    path, seq = signing_video
    page.get_by_role("tab", name="Video to sign").click()
    page.locator("#v2s_video_in input[type=file]").set_input_files(str(path))
    page.wait_for_function("() => { const v = document.querySelector('#v2s_video_in video'); return v && v.duration > 0; }")
    _choose(page, "v2s_backend_in", "Skeleton")
    page.locator("#v2s_btn").click()
    expect(page.locator("#v2s_status_out textarea")).to_have_value(
        re.compile(rf"^bl.mp4: {seq.num_frames} frames .*FAST found 1 sign\(s\); 3 keyframe\(s\)"))
    # Chromium decodes the avatar's mp4 and plays it (autoplay), and the input plays beside it
    page.wait_for_function("() => { const v = document.querySelector('#v2s_video_out video');"
                           " return v && v.videoWidth === 512 && (v.currentTime > 0 || v.ended); }")
    page.wait_for_function("() => { const v = document.querySelector('#v2s_video_in video');"
                           " return v.currentTime > 0 || v.ended; }")
    files = page.locator("#v2s_files_out")
    for part in ("bl\n.npz", "bl\n.pose", "bl\n.eaf"):
        expect(files).to_contain_text(part)
    page.screenshot(path=str(tmp_path / "video_to_sign.png"), full_page=True)

    page.locator("#v2s_send_btn").click()
    expect(page.locator("#kf_status_out textarea")).to_have_value(re.compile(r"^3 keyframe\(s\) from bl.npz"))
    expect(page.locator("#kf_table")).to_be_visible()  # the Keyframes to sign tab is shown
    expect(page.locator("#kf_file")).to_contain_text(re.compile(r"bl\s*\.npz"))
    first = int(one_sign.sign[0])
    expect(page.locator("#kf_table")).to_contain_text(f"file:{first}")
