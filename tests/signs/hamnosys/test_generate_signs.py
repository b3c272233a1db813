"""Signs written in HamNoSys through the pipeline and `signspark generate --hamnosys / --sigml / --lexicon`."""

import numpy as np
import pytest
import torch
from hamnosys_lexicon import names

from signspark.cli import main
from signspark.flow.config import UNetConfig
from signspark.flow.unet import VelocityUNet
from signspark.pipeline import SignSparK
from signspark.pose.sequence import PoseSequence
from signspark.signs.hamnosys import write_sigml

KIND = names("flathand thumboutmod extfingero palmd chest lrat moved smallmod")
DU = names("finger2 thumbacrossmod extfingero palmd chest moveo smallmod")


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    from signspark.text.builtin import BuiltinTextEncoder
    from signspark.text.length import LengthModel

    torch.manual_seed(0)
    model = VelocityUNet(UNetConfig.preset("tiny", stream="full"))
    pipe = SignSparK({"full": model.eval()}, BuiltinTextEncoder(), LengthModel(), languages=["ASL", "DGS"],
                     retrieval="fingerspelling")
    return pipe.save_pretrained(tmp_path_factory.mktemp("models") / "gen")


@pytest.fixture(autouse=True)
def _one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_pipeline_signs_and_lexicon(model_dir):
    from signspark.signs.hamnosys.lexicon import HamNoSysLexicon

    pipe = SignSparK.from_pretrained(model_dir, device="cpu")
    out = pipe(lang="DGS", signs=[("KIND", KIND), ("DU", DU)], steps=1, seed=0)
    assert out.pose.gloss == "KIND DU" and out.pose.text == "KIND DU" and len(out.segments) == 2
    assert out.labels == ["KIND", "DU"] and out.segments_from == "lexicon"
    assert len(out.keyframes) > 6   # onset, middle, offset and the turning points of each sign
    out = pipe("das Kind", "DGS", lexicon=HamNoSysLexicon({"KIND": KIND}, "DGS"), steps=1, seed=0)
    assert out.pose.gloss == "D A S KIND"
    with pytest.raises(ValueError, match="not both"):
        pipe("x", "DGS", signs=[KIND], keyframes=out.pose)


def test_cli_hamnosys(model_dir, tmp_path, capsys):
    out = tmp_path / "kd.npz"
    rc = main(["generate", "--hamnosys", KIND, "--gloss", "KIND", "--hamnosys", DU, "--lang", "DGS", "-o", str(out),
               "--steps", "1", "--seed", "1", "--model", str(model_dir)])
    assert rc == 0, capsys.readouterr().err
    seq = PoseSequence.load(out)
    assert seq.gloss == "KIND SIGN2" and len(seq.segments) == 2
    assert main(["generate", "--hamnosys", "hamflathand hamparbegin", "--lang", "DGS", "-o", str(out),
                 "--model", str(model_dir)]) == 2
    assert "hamparbegin" in capsys.readouterr().err
    assert main(["generate", "--gloss", "X", "-o", str(out), "--model", str(model_dir)]) == 2


def test_cli_sigml_and_lexicon(model_dir, tmp_path, capsys):
    sigml = tmp_path / "signs.sigml"
    sigml.write_text(write_sigml([("DU", DU), ("KIND", KIND)]), encoding="utf-8")
    out = tmp_path / "s.npz"
    assert main(["generate", "--sigml", str(sigml), "--lang", "DGS", "-o", str(out), "--steps", "1",
                 "--model", str(model_dir)]) == 0
    seq = PoseSequence.load(out)
    assert seq.gloss == "DU KIND" and len(seq.segments) == 2
    lex = tmp_path / "lex.csv"
    lex.write_text(f"gloss,hamnosys\nKIND,{KIND}\nBAD,hamnope\n", encoding="utf-8")
    assert main(["generate", "ein Kind", "--lexicon", str(lex), "--lang", "DGS", "-o", str(out), "--steps", "1",
                 "--model", str(model_dir)]) == 0
    assert "lex.csv:3" in capsys.readouterr().err
    seq = PoseSequence.load(out)
    assert seq.gloss == "E I N KIND" and len(seq.segments) == 4 and np.isfinite(seq.params["body_pose"]).all()
    bad = tmp_path / "bad.sigml"
    bad.write_text("<sigml><x/></sigml>")
    assert main(["generate", "--sigml", str(bad), "--lang", "DGS", "-o", str(out), "--model", str(model_dir)]) == 2
