"""Fixtures of the demo tests: tiny untrained models installed as the built-in ones, a private temp folder.

The generator and the FAST segmenter are random-weight ``tiny`` models written in the
shipped folder format under ``<tmp>/assets/models/{generator,fast}``, and
``SIGNSPARK_ASSETS`` points there, so the demo's "built-in" choice loads them. The
outputs are meaningless signing; the tests check the plumbing, not the motion.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]

TINY_FAST = dict(hidden=32, layers=2, heads=2, ff_dim=64, kernel_size=5, attention_radius=4, dropout=0.0, window=16)


def build_tiny_assets(root: Path) -> Path:
    """Write tiny random generator + FAST model folders under ``root/models``; returns ``root``."""
    from signspark.flow.config import UNetConfig
    from signspark.flow.unet import VelocityUNet
    from signspark.pipeline import SignSparK
    from signspark.segment import FastConfig, FastSegmenter, save_model
    from signspark.text.encoder import load_text_encoder

    torch.manual_seed(0)
    unet = VelocityUNet(UNetConfig.preset("tiny", stream="full")).eval()
    encoder = load_text_encoder({"type": "builtin", "dim": 640})
    SignSparK({"full": unet}, encoder).save_pretrained(root / "models" / "generator")
    save_model(root / "models" / "fast", FastSegmenter(FastConfig(**TINY_FAST)).eval())
    return root


@pytest.fixture(scope="session")
def tiny_assets(tmp_path_factory) -> Path:
    return build_tiny_assets(tmp_path_factory.mktemp("assets"))


@pytest.fixture(scope="session", autouse=True)
def demo_env(tiny_assets, tmp_path_factory):
    """Built-in models = the tiny ones; Gradio's files in a private temp folder; no analytics; one torch thread."""
    mp = pytest.MonkeyPatch()
    mp.setenv("SIGNSPARK_ASSETS", str(tiny_assets))
    mp.setenv("GRADIO_TEMP_DIR", str(tmp_path_factory.mktemp("gradio")))
    mp.setenv("GRADIO_ANALYTICS_ENABLED", "False")
    mp.setenv("HF_HUB_OFFLINE", "1")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
    mp.undo()
    from demo import handlers

    handlers.clear_caches()


@pytest.fixture(scope="session")
def signing_video(tmp_path_factory):
    """``(mp4, PoseSequence)``: ASL 'bl' fingerspelled by our avatar (right hand signing, left resting),
    12 frames around the letters, front view, 384 px, rendered with the OpenGL or PyTorch splats."""
    from signspark.render import RenderOptions, available_backends, render_video
    from signspark.signs import spell

    seq = spell("bl", "ASL")
    mid = seq.num_frames // 2
    seq = seq.slice(mid - 6, mid + 6)
    backend = "gl" if "gl" in available_backends() else "torch"
    path = tmp_path_factory.mktemp("signing") / "bl.mp4"
    render_video(seq, path, RenderOptions(backend=backend, size=384, highlight_keyframes=False))
    return path, seq


class _OneSign:
    """Stands in for the FAST segmenter: one sign over the frames ``sign`` of any clip (the tiny test
    model's random weights would find any number). ``seen`` records the shapes of the features."""

    sign = (2, 8)

    def __init__(self):
        self.seen = []

    def segment(self, clips):
        import numpy as np

        from signspark.segment import ClipSegmentation

        out = {}
        for clip, feats in clips.items():
            self.seen.append(np.asarray(feats).shape)
            tags = np.zeros(len(feats), np.int64)
            tags[self.sign[0]], tags[self.sign[0] + 1:self.sign[1] + 1] = 2, 1
            out[clip] = ClipSegmentation.from_tags(clip, tags)
        return out


@pytest.fixture(scope="session")
def one_sign():
    """A :class:`_OneSign` segmenter (patch ``demo.handlers.load_segmenter`` to return it)."""
    return _OneSign()
