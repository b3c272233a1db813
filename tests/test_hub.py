"""signspark.hub and `signspark download`: model folders, offline Hub caches, uploads (all without network)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
import yaml

from signspark import hub

COMMIT = "0123456789abcdef0123456789abcdef01234567"


def cache_repo(hub_dir: Path, repo_id: str, files: dict[str, bytes], commit: str = COMMIT) -> Path:
    """Write files into the HF cache layout: models--org--name/{refs/main, snapshots/<commit>/...}."""
    repo = hub_dir / ("models--" + repo_id.replace("/", "--"))
    snap = repo / "snapshots" / commit
    for name, data in files.items():
        (snap / name).parent.mkdir(parents=True, exist_ok=True)
        (snap / name).write_bytes(data)
    (repo / "refs").mkdir(parents=True, exist_ok=True)
    (repo / "refs" / "main").write_text(commit)
    return snap


class Tied(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(3, 3)
        self.b = torch.nn.Linear(3, 3)
        self.b.weight = self.a.weight


# -- save / load ---------------------------------------------------------------------------------

def test_save_pretrained_round_trip(tmp_path):
    torch.manual_seed(0)
    model = Tied()
    folder = hub.save_pretrained(tmp_path / "m", model, {"model_type": "toy", "width": 3, "name": "Gebärde 手语"},
                                 card="# toy\n", extra_files={"notes.txt": "hi", "blob.bin": b"\x00\x01"})
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "blob.bin", "config.json", "model.safetensors",
                                                       "notes.txt"]
    assert hub.load_config(folder)["name"] == "Gebärde 手语"
    tensors = hub.load_safetensors(folder)
    assert torch.equal(tensors["a.weight"], model.a.weight) and torch.equal(tensors["b.weight"], model.a.weight)
    fresh = Tied()
    fresh.load_state_dict(tensors)
    assert torch.equal(fresh.b.bias, model.b.bias)
    assert (folder / "blob.bin").read_bytes() == b"\x00\x01"
    assert [p.name for p in tmp_path.iterdir()] == ["m"]          # no temporary folders left


def test_save_pretrained_accepts_dicts_dataclasses_and_copies_files(tmp_path):
    import dataclasses

    @dataclasses.dataclass
    class Cfg:
        width: int = 4

    src = tmp_path / "vocab.json"
    src.write_text("{}")
    folder = hub.save_pretrained(tmp_path / "d", {"w": torch.arange(6.0).reshape(2, 3).t()}, Cfg(),
                                 extra_files={"sub/vocab.json": src})
    assert hub.load_config(folder) == {"width": 4}
    assert torch.equal(hub.load_safetensors(folder)["w"], torch.arange(6.0).reshape(2, 3).t())
    assert (folder / "sub" / "vocab.json").read_text() == "{}"


def test_save_pretrained_replaces_whole_folder_and_keeps_old_on_failure(tmp_path, monkeypatch):
    target = tmp_path / "m"
    hub.save_pretrained(target, {"w": torch.ones(2)}, {"v": 1}, card="old card")
    hub.save_pretrained(target, {"w": torch.zeros(2)}, {"v": 2})
    assert hub.load_config(target) == {"v": 2} and not (target / "README.md").exists()

    import safetensors.torch

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(safetensors.torch, "save_file", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        hub.save_pretrained(target, {"w": torch.ones(2)}, {"v": 3})
    monkeypatch.undo()
    assert hub.load_config(target) == {"v": 2} and torch.equal(hub.load_safetensors(target)["w"], torch.zeros(2))
    assert [p.name for p in tmp_path.iterdir()] == ["m"]
    with pytest.raises(TypeError):
        hub.save_pretrained(target, {"w": torch.ones(2)}, {"bad": object()})
    with pytest.raises(TypeError, match="torch.Tensor"):
        hub.save_pretrained(target, {"w": [1, 2]}, {})
    with pytest.raises(ValueError, match="relative path"):
        hub.save_pretrained(target, {"w": torch.ones(2)}, {}, extra_files={"../escape.txt": "x"})
    assert hub.load_config(target) == {"v": 2}


def test_load_errors_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="model.safetensors"):
        hub.load_safetensors(tmp_path)
    with pytest.raises(FileNotFoundError, match="config.json"):
        hub.load_config(tmp_path)


# -- local folders and the offline cache -----------------------------------------------------------

def test_local_folder_is_returned_as_is(tmp_path):
    assert hub.load_pretrained_folder(tmp_path) == tmp_path
    assert hub.load_pretrained_folder(str(tmp_path)) == tmp_path
    with pytest.raises(FileNotFoundError, match="neither an existing folder"):
        hub.load_pretrained_folder(tmp_path / "missing" / "deeper")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(NotADirectoryError):
        hub.load_pretrained_folder(tmp_path / "file.txt")


def test_snapshot_from_offline_cache(offline_hub):
    snap = cache_repo(offline_hub, "org/tiny-model", {"config.json": b'{"model_type": "toy"}', "sub/x.txt": b"x"})
    folder = hub.load_pretrained_folder("org/tiny-model")
    assert folder == snap and hub.load_config(folder) == {"model_type": "toy"}
    assert hub.load_pretrained_folder("org/tiny-model", revision=COMMIT) == snap
    assert hub.download_file("org/tiny-model", "sub/x.txt").read_bytes() == b"x"


def test_offline_and_not_cached(offline_hub):
    cache_repo(offline_hub, "org/tiny-model", {"config.json": b"{}"})
    with pytest.raises(hub.HubOfflineError, match="HF_HUB_OFFLINE=1") as info:
        hub.load_pretrained_folder("org/other-model")
    assert "org/other-model" in str(info.value) and str(offline_hub) in str(info.value)
    with pytest.raises(hub.HubOfflineError, match="revision 'v2'"):
        hub.load_pretrained_folder("org/tiny-model", revision="v2")
    with pytest.raises(hub.HubOfflineError, match="missing.bin"):
        hub.download_file("org/tiny-model", "missing.bin")
    assert isinstance(info.value, OSError)   # the CLI prints OSErrors without a traceback


def test_offline_flag_is_read_at_call_time(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert hub.is_offline()
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    assert not hub.is_offline()
    monkeypatch.setenv("HF_HUB_CACHE", "/somewhere/cache")
    assert hub.hub_cache_dir() == Path("/somewhere/cache")


# -- official checkpoints ---------------------------------------------------------------------------

def _official_cache(hub_dir, streams=("hand", "body", "face")):
    files = {}
    for s in streams:
        import io

        buf = io.BytesIO()
        torch.save({"embed_text.bias": torch.full((4,), float(len(s)))}, buf)
        files[f"{s}/ema_0.9999_200000.pt"] = buf.getvalue()
    return cache_repo(hub_dir, hub.OFFICIAL_REPO_ID, files)


def test_download_official_from_cache(offline_hub, caplog):
    _official_cache(offline_hub)
    with caplog.at_level("WARNING", logger="signspark.hub"):
        paths = hub.download_official(["hand", "face"])
    assert "non-commercial" in caplog.text
    assert list(paths) == ["hand", "face"]
    assert paths["hand"].parts[-2:] == ("hand", "ema_0.9999_200000.pt")
    sd = torch.load(paths["face"], map_location="cpu", weights_only=True)
    assert torch.equal(sd["embed_text.bias"], torch.full((4,), 4.0))


def test_download_official_errors(offline_hub):
    _official_cache(offline_hub, streams=("hand",))
    with pytest.raises(ValueError, match="no 'full' checkpoint"):
        hub.download_official(["full"])
    with pytest.raises(ValueError, match="choose from hand, body, face"):
        hub.download_official([])
    with pytest.raises(hub.HubOfflineError, match="body/ema_0.9999_200000.pt"):
        hub.download_official(["hand", "body"])


def test_cli_download_official(offline_hub, capsys):
    from signspark.cli import main

    _official_cache(offline_hub, streams=("hand",))
    assert main(["download", "official", "--streams", "hand"]) == 0
    out, err = capsys.readouterr()
    assert "non-commercial" in err
    stream, path = out.strip().split("\t")
    assert stream == "hand" and Path(path).is_file()

    assert main(["download", "official", "--streams", "body"]) == 2
    out, err = capsys.readouterr()
    assert "error" in err and "HF_HUB_OFFLINE" in err and "Traceback" not in err


def test_cli_download_official_into_a_folder(offline_hub, tmp_path, capsys):
    from signspark.cli import main

    target = tmp_path / "checkpoints"
    (target / "face").mkdir(parents=True)
    (target / "face" / "ema_0.9999_200000.pt").write_bytes(b"already here")
    assert main(["download", "official", "--streams", "face", "--dir", str(target)]) == 0
    assert capsys.readouterr().out.strip() == f"face\t{target / 'face' / 'ema_0.9999_200000.pt'}"


def test_cli_download_model_and_mclip(offline_hub, capsys):
    from signspark.cli import main

    snap = cache_repo(offline_hub, "org/signspark-builtin", {"config.json": b"{}", "model.safetensors": b""})
    assert main(["download", "model", "org/signspark-builtin"]) == 0
    assert capsys.readouterr().out.strip() == str(snap)
    assert main(["download", "mclip"]) == 2
    assert "M-CLIP/XLM-Roberta-Large-Vit-B-16Plus" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["download", "official", "--streams", "full"])   # argparse rejects the choice


# -- upload and model cards ---------------------------------------------------------------------------

class FakeHfApi:
    """Stands in for huggingface_hub.HfApi: 'uploads' into a local folder."""

    remote: Path
    calls: list = []

    def __init__(self, token=None, **kwargs):
        self.token = token

    def create_repo(self, repo_id, repo_type=None, private=False, exist_ok=False, **kwargs):
        FakeHfApi.calls.append(("create_repo", repo_id, private, exist_ok, self.token))
        (FakeHfApi.remote / repo_id).mkdir(parents=True, exist_ok=True)

    def upload_folder(self, folder_path, repo_id, repo_type=None, commit_message=None, revision=None, **kwargs):
        FakeHfApi.calls.append(("upload_folder", repo_id, commit_message))
        shutil.copytree(folder_path, FakeHfApi.remote / repo_id, dirs_exist_ok=True)
        return f"https://huggingface.co/{repo_id}/commit/{COMMIT}"


def test_push_to_hub_with_a_fake_api(tmp_path, monkeypatch):
    import huggingface_hub

    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    FakeHfApi.remote, FakeHfApi.calls = tmp_path / "remote", []
    monkeypatch.setattr(huggingface_hub, "HfApi", FakeHfApi)
    folder = hub.save_pretrained(tmp_path / "m", {"w": torch.ones(3)}, {"model_type": "toy"}, card="# toy")
    result = hub.push_to_hub(folder, "me/toy", token="tok", private=True, commit_message="first")
    assert result.endswith(COMMIT)
    assert FakeHfApi.calls == [("create_repo", "me/toy", True, True, "tok"), ("upload_folder", "me/toy", "first")]
    uploaded = FakeHfApi.remote / "me/toy"
    assert torch.equal(hub.load_safetensors(uploaded)["w"], torch.ones(3))
    assert (uploaded / "README.md").read_text() == "# toy"

    with pytest.raises(FileNotFoundError, match="not a model folder"):
        hub.push_to_hub(tmp_path, "me/toy")
    with pytest.raises(ValueError, match="repo id"):
        hub.push_to_hub(folder, "not a repo id")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(hub.HubOfflineError):
        hub.push_to_hub(folder, "me/toy")


def test_model_card_front_matter():
    card = hub.model_card("SignSparK built-in", ["ASL", "DGS", "CSL"], ["LionelLow/SignSparK_data", "synthetic demo corpus"],
                          {"dtw_mpjpe": 0.01234, "steps": 2000}, "apache-2.0", "A small model that fingerspells.",
                          repo_id="org/signspark-builtin")
    assert card.startswith("---\n")
    front, body = card[4:].split("\n---\n", 1)
    meta = yaml.safe_load(front)
    assert meta["library_name"] == "signspark"
    assert meta["license"] == "apache-2.0"
    assert set(meta["language"]) == {"en", "ase", "de", "gsg", "zh", "csl"}
    assert "signspark" in meta["tags"] and "sign-language" in meta["tags"]
    assert meta["datasets"] == ["LionelLow/SignSparK_data"]
    assert "# SignSparK built-in" in body and "fingerspells" in body
    assert "| dtw_mpjpe | 0.01234 |" in body and "| steps | 2000 |" in body
    assert "synthetic demo corpus" in body and "load_pretrained_folder('org/signspark-builtin')" in body
