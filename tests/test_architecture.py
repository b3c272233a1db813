"""The layout's promises: layers import downward, and a sign language is one registry record plus its data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]


def _imports_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print('\\n'.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return set(out.stdout.split())


def test_inference_does_not_import_training_data_code():
    modules = _imports_after("import signspark.pipeline")
    assert "signspark.data.lmdb_store" not in modules and "signspark.data.dataset" not in modules
    assert not any(m.startswith("signspark.data.corpus") for m in modules)


def test_the_library_imports_neither_gradio_nor_the_demo():
    modules = _imports_after("import signspark, signspark.pipeline, signspark.outputs, signspark.cli; "
                             "signspark.cli.build_parser()")
    assert "gradio" not in modules
    assert "demo.app" not in modules and "demo.handlers" not in modules


def test_no_sys_path_hacks():
    hits = subprocess.run(["git", "grep", "-n", "sys.path.insert", "--", "signspark", "train", "bench", "demo",
                           "scripts", "spaces"], capture_output=True, text=True, cwd=ROOT).stdout
    assert hits == ""


# ---------------------------------------------------------------------------------------------- a made-up language
@pytest.fixture
def tiny_language():
    """"XSL": a made-up sign language with a three-letter one-handed alphabet, registered for one test."""
    from signspark.signs.alphabets import Alphabet, Letter, Place, letters_of
    from signspark.signs.languages import SignLanguage, register_language, unregister_language

    fwd = Place("neutral", palm="forward", axis="up")
    alphabet = Alphabet("XSL", letters_of([Letter("A", "fist_thumb_side", fwd), Letter("B", "flat_thumb_in", fwd),
                                           Letter("C", "c", fwd)]))
    record = register_language(SignLanguage("XSL", "Example Sign Language", "xx", "Example", "xsl",
                                            text_unit="character", alphabet=alphabet, examples=("abc",)))
    yield record
    unregister_language("XSL")


def test_a_new_language_is_one_record(tiny_language, tmp_path):
    from signspark import hub
    from signspark.eval.back_translation import level_for_language
    from signspark.flow.config import UNetConfig
    from signspark.flow.unet import VelocityUNet
    from signspark.pipeline import SignSparK
    from signspark.signs import letters, spell
    from signspark.text.encoder import load_text_encoder

    assert letters("ab ca", "xsl") == ["A", "B", " ", "C", "A"]
    seq = spell("abc", "XSL")
    assert seq.gloss == "A B C" and len(seq.segments) == 3 and seq.language == "XSL"
    assert level_for_language("XSL") == "char"
    assert "- xsl" in hub.model_card("m", ["XSL"], "data", None, "apache-2.0", "A test model.")

    torch.manual_seed(0)
    unet = VelocityUNet(UNetConfig.preset("tiny", stream="full")).eval()
    pipe = SignSparK({"full": unet}, load_text_encoder({"type": "builtin", "dim": 640}), languages=["XSL"],
                     retrieval="lexicon")
    out = pipe("cab", "XSL", steps=1, seed=0)
    assert out.labels == ["C", "A", "B"] and out.segments_from == "lexicon"
    assert out.tags is not None and out.tags.shape == (out.num_frames,)
    assert np.isfinite(out.features).all()
    with pytest.raises(ValueError, match="no letter"):
        from signspark.signs.fingerspelling import spell_tokens

        spell_tokens(["D"], "XSL")


def test_text_to_video_writes_every_file(tiny_language, tmp_path):
    from signspark.flow.config import UNetConfig
    from signspark.flow.unet import VelocityUNet
    from signspark.pipeline import SignSparK
    from signspark.render import RenderOptions
    from signspark.text.encoder import load_text_encoder

    torch.manual_seed(0)
    unet = VelocityUNet(UNetConfig.preset("tiny", stream="full")).eval()
    pipe = SignSparK({"full": unet}, load_text_encoder({"type": "builtin", "dim": 640}), languages=["XSL"],
                     retrieval="lexicon")
    seen = []
    out, files = pipe.text_to_video("ab", "XSL", tmp_path, render=RenderOptions(backend="skeleton", size=64),
                                    ply_frame=-1, steps=1, seed=0, also=lambda o: seen.append(o.labels) or "done")
    assert files.video.name == "ab.mp4" and files.video.stat().st_size > 0
    assert files.ply.is_file() and files.ply_frame == out.num_frames // 2
    assert [p.name for p in files.downloads] == ["ab.npz", "ab.segments.json", "ab.eaf"]
    assert files.extra == "done" and seen == [["A", "B"]] and files.backend == "skeleton"
    with pytest.raises(ValueError, match="limit here is 5"):
        pipe.text_to_video("ab", "XSL", tmp_path / "x", render=RenderOptions(backend="skeleton", size=64),
                           max_frames=5, steps=1, seed=0)
    assert not (tmp_path / "x").exists()
    with pytest.raises(ValueError, match="unknown view"):
        pipe.text_to_video("ab", "XSL", tmp_path / "y", render=RenderOptions(view="sideways"), steps=1)
