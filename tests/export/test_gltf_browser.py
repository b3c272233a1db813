"""The exported .glb in a real browser: Debian's Chromium (Playwright) loads it with three.js's GLTFLoader.

three.js comes from the npm registry (tests/js, installed by scripts/run-tests.sh); the page and
its files are served from memory through Playwright's request routing, so nothing is fetched from
anywhere else. The test plays the animation with three.js's AnimationMixer and compares its skinned,
morphed vertices (three.js's own CPU skinning, ``SkinnedMesh.getVertexPosition``) with the body model
at several frames, then draws a frame with WebGL and checks that the avatar is on the canvas.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

CHROMIUM = os.environ.get("SIGNSPARK_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
        "--enable-unsafe-swiftshader"]
THREE = Path(__file__).resolve().parents[1] / "js" / "node_modules" / "three"
ORIGIN = "http://signspark.test"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).is_file(),
                       reason=f"no Chromium at {CHROMIUM} (apt-get install chromium, or set SIGNSPARK_CHROMIUM)"),
    pytest.mark.skipif(not (THREE / "build" / "three.module.js").is_file(),
                       reason="three.js is not installed (npm ci in tests/js; scripts/run-tests.sh does it)"),
]

PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
<script type="importmap">
{"imports": {"three": "/three/build/three.module.js", "three/addons/": "/three/examples/jsm/"}}
</script></head>
<body style="margin:0;background:#fff">
<canvas id="c" width="400" height="400"></canvas>
<script type="module">
import * as THREE from 'three';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';

const gltf = await new GLTFLoader().loadAsync('/clip.glb');
const scene = new THREE.Scene();
scene.background = new THREE.Color(0xffffff);
scene.add(gltf.scene);
scene.add(new THREE.HemisphereLight(0xffffff, 0x444444, 2.5));
const mixer = new THREE.AnimationMixer(gltf.scene);
const clip = gltf.animations[0];
mixer.clipAction(clip).play();
const meshes = [];
gltf.scene.traverse((o) => { if (o.isSkinnedMesh) meshes.push(o); });
const v = new THREE.Vector3();

window.clipInfo = { name: clip.name, duration: clip.duration, tracks: clip.tracks.length,
                    meshes: meshes.length, morphs: meshes[0].morphTargetInfluences?.length ?? 0 };
// posed vertices of every primitive at time t (three.js's CPU skinning and morphing)
window.sample = (t) => {
  mixer.setTime(t);
  gltf.scene.updateMatrixWorld(true);
  return meshes.map((m) => {
    const n = m.geometry.attributes.position.count, out = new Array(3 * n);
    for (let i = 0; i < n; i++) {
      m.getVertexPosition(i, v);
      v.applyMatrix4(m.matrixWorld);
      out[3 * i] = v.x; out[3 * i + 1] = v.y; out[3 * i + 2] = v.z;
    }
    return { rest: Array.from(m.geometry.attributes.position.array), posed: out };
  });
};
window.draw = (t) => {
  let renderer;
  try { renderer = new THREE.WebGLRenderer({ canvas: document.getElementById('c'), preserveDrawingBuffer: true }); }
  catch (e) { return 'no webgl: ' + e; }
  const camera = new THREE.PerspectiveCamera(30, 1, 0.1, 20);
  camera.position.set(0, 0.25, 3.2);
  camera.lookAt(0, 0.2, 0);
  mixer.setTime(t);
  renderer.render(scene, camera);
  return 'ok';
};
window.ready = true;
</script></body></html>
"""


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api")
    files = {}

    def serve(route):
        path = route.request.url[len(ORIGIN):].split("?")[0]
        if path == "/":
            return route.fulfill(body=PAGE, content_type="text/html")
        if path == "/clip.glb" and "glb" in files:
            return route.fulfill(body=files["glb"], content_type="model/gltf-binary")
        if path.startswith("/three/"):
            f = (THREE / path[len("/three/"):]).resolve()
            if f.is_relative_to(THREE.resolve()) and f.is_file():
                return route.fulfill(body=f.read_bytes(), content_type="text/javascript")
        return route.fulfill(status=404, body="not found")

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            pg = browser.new_page(viewport={"width": 400, "height": 400})
            pg.set_default_timeout(120_000)
            pg.route(f"{ORIGIN}/**", serve)

            def load(data: bytes):
                files["glb"] = data
                pg.goto(f"{ORIGIN}/")
                pg.wait_for_function("() => window.ready === true")
                return pg

            yield load
        finally:
            browser.close()


def test_three_js_plays_the_animation_like_the_body_model(page, clip, body, tmp_path):
    from signspark.export import glb_bytes

    pg = page(glb_bytes(clip, body))
    info = pg.evaluate("window.clipInfo")
    assert info["name"] == "signing" and info["morphs"] == 50
    assert info["tracks"] == 55 + 1 + info["meshes"]  # rotations, root translation, weights per primitive
    np.testing.assert_allclose(info["duration"], (clip.num_frames - 1) / clip.fps, rtol=1e-6)
    posed = body(clip).vertices.numpy()
    rest = body._shaped(__import__("torch").as_tensor(clip.betas[None]))[0][0].numpy().astype(np.float32)
    lookup: dict[bytes, list[int]] = {}
    for i, p in enumerate(rest):
        lookup.setdefault(p.tobytes(), []).append(i)
    moved = []
    for frame in (0, 5, clip.num_frames - 1):
        prims = pg.evaluate(f"window.sample({json.dumps(frame / clip.fps)})")
        errs, first = [], None
        for prim in prims:
            r = np.asarray(prim["rest"], np.float32).reshape(-1, 3)
            q = np.asarray(prim["posed"], np.float64).reshape(-1, 3)
            for p, x in zip(r, q):
                errs.append(min(np.linalg.norm(posed[frame, i] - x) for i in lookup[p.tobytes()]))
            first = q[:50] if first is None else first
        moved.append(first)
        errs = np.asarray(errs)
        assert errs.max() < 1e-3, f"frame {frame}: three.js differs from the body model by {errs.max() * 1e3:.2f} mm"
    assert np.abs(moved[0] - moved[1]).max() > 0.01  # the animation advances


def test_webgl_draws_the_avatar(page, body, tmp_path):
    from signspark.signs import spell
    from signspark.export import glb_bytes

    seq = spell("jz", "ASL")
    pg = page(glb_bytes(seq, body, expressions=False))
    status = pg.evaluate(f"window.draw({json.dumps(20 / seq.fps)})")
    if status != "ok":
        pytest.skip(f"this Chromium has no WebGL: {status}")
    shot = tmp_path / "glb_three.png"
    pg.locator("#c").screenshot(path=str(shot))
    from PIL import Image

    img = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    not_white = (np.abs(img - 255).sum(-1) > 30).mean()
    assert 0.03 < not_white < 0.6, f"{not_white:.3f} of the canvas is covered"
    # the shirt's blue and the skin's tones are on the canvas
    px = img.reshape(-1, 3)
    assert ((px[:, 2] > px[:, 0] + 30) & (px[:, 2] > 60)).mean() > 0.01
    assert ((px[:, 0] > px[:, 2] + 20) & (px[:, 0] > 80)).mean() > 0.002
