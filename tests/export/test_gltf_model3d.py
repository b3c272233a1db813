"""The exported .glb in gr.Model3D (Babylon.js, the viewer the demo uses), in Debian's Chromium.

A tiny Gradio page (not the demo) shows one exported clip; the canvas must show the avatar, and
two screenshots a moment apart must differ: Babylon.js plays the file's animation by itself.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = os.environ.get("SIGNSPARK_CHROMIUM", "/usr/bin/chromium")
TIMEOUT_MS = 60_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                       reason=f"no Chromium at {CHROMIUM} (apt-get install chromium, or set SIGNSPARK_CHROMIUM)"),
]


def _shot(page, path: Path) -> np.ndarray:
    from PIL import Image

    page.locator("#glb_view canvas").screenshot(path=str(path))
    return np.asarray(Image.open(path).convert("RGB")).astype(int)


def test_model3d_plays_the_exported_glb(body, tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    gr = pytest.importorskip("gradio")
    from signspark.signs import spell
    from signspark.export import write_glb

    glb = write_glb(spell("jz", "ASL"), tmp_path / "jz.glb", body).path
    with gr.Blocks() as app:
        gr.Model3D(value=str(glb), elem_id="glb_view", height=420, clear_color=(1.0, 1.0, 1.0, 1.0),
                   camera_position=(90, 90, 2.5))
    app.launch(prevent_thread_lock=True, server_name="127.0.0.1", ssr_mode=False, quiet=True,
               allowed_paths=[str(tmp_path)])
    try:
        with sync_api.sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                  args=["--no-sandbox", "--use-gl=angle", "--use-angle=swiftshader",
                                        "--enable-unsafe-swiftshader", "--disable-background-networking"])
            try:
                page = b.new_page(viewport={"width": 900, "height": 700})
                page.set_default_timeout(TIMEOUT_MS)
                page.goto(app.local_url, wait_until="networkidle")
                if not page.evaluate("() => !!document.createElement('canvas').getContext('webgl2')"):
                    pytest.skip("this Chromium has no WebGL 2, not even through SwiftShader")
                covered = 0.0
                for _ in range(30):  # the viewer loads the file in the background
                    page.wait_for_timeout(1000)
                    first = _shot(page, tmp_path / "model3d_a.png")
                    covered = float((np.abs(first - 255).sum(-1) > 30).mean())
                    if covered > 0.02:
                        break
                assert covered > 0.02, f"the 3D viewer shows the avatar on {covered:.3%} of its canvas"
                changed = 0.0
                for _ in range(10):
                    page.wait_for_timeout(400)
                    later = _shot(page, tmp_path / "model3d_b.png")
                    changed = float((np.abs(later - first).sum(-1) > 30).mean())
                    if changed > 0.002:
                        break
                assert changed > 0.002, "the avatar does not move: the animation does not play"
            finally:
                b.close()
    finally:
        app.close()
