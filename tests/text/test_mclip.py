"""M-CLIP text encoder, built from a tiny random-weight M-CLIP on disk (no download)."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from signspark.hub import HubOfflineError
from signspark.text.encoder import load_text_encoder
from signspark.text.mclip import TextTooLongError, load_mclip, mclip_from_official_state_dict

TEXTS = ["hello how are you", "hallo wie geht es dir, die straße", "你好 你今天好吗"]
REPO = "M-CLIP/XLM-Roberta-Large-Vit-B-16Plus"


@pytest.fixture(scope="module")
def encoder(tiny_mclip_dir):
    return load_mclip(tiny_mclip_dir)


def test_encodes_english_german_chinese_to_640(encoder):
    emb = encoder.encode(TEXTS)
    assert emb.shape == (3, 640) and emb.dtype == torch.float32
    assert torch.isfinite(emb).all()
    assert not torch.allclose(emb[0], emb[2])
    # no L2 normalisation, as in the official code
    assert not torch.allclose(emb.norm(dim=1), torch.ones(3))
    toks = encoder.tokenizer.tokenize("你好 你今天好吗")
    assert "<unk>" not in toks and len(toks) >= 5


def test_matches_the_multilingual_clip_forward(encoder):
    """Same numbers as the package's own MultilingualCLIP.forward (padding=True, masked mean, linear)."""
    from multilingual_clip.pt_multilingual_clip import MultilingualCLIP

    encoder.clear_cache()
    ours = encoder.encode(TEXTS)
    with torch.no_grad():
        reference = MultilingualCLIP.forward(encoder.model, TEXTS, encoder.tokenizer)
    assert torch.allclose(ours, reference, atol=1e-6)


def test_weights_come_from_the_folder(encoder, tiny_mclip_dir):
    from safetensors.torch import load_file

    saved = load_file(str(tiny_mclip_dir / "model.safetensors"))
    assert torch.equal(encoder.model.LinearTransformation.weight, saved["LinearTransformation.weight"])
    key = "transformer.encoder.layer.1.output.dense.weight"
    assert torch.equal(encoder.model.state_dict()[key], saved[key])


def test_padded_batch_gives_the_same_embedding_as_single_texts(encoder):
    encoder.clear_cache()
    batch = encoder.encode(TEXTS)
    singles = []
    for t in TEXTS:
        encoder.clear_cache()
        singles.append(encoder.encode([t])[0])
    assert torch.allclose(batch, torch.stack(singles), atol=1e-5)


def test_frozen_and_cached(encoder):
    assert not encoder.training and not encoder.model.training
    assert not any(p.requires_grad for p in encoder.parameters())
    encoder.clear_cache()
    encoder.encode(TEXTS[:1])
    encoder.encode(TEXTS[:1])
    assert encoder.cache_info()["hits"] == 1


def test_text_beyond_the_position_limit_is_a_clear_error(encoder):
    assert encoder.max_tokens == 64
    with pytest.raises(TextTooLongError, match="tokens, more than the 64"):
        encoder.encode(["hello " * 80])


def test_official_state_dict_route(encoder, tiny_mclip, tiny_mclip_dir):
    sd = tiny_mclip.tiny_official_state_dict(tiny_mclip_dir)
    assert "text_enc_model.transformer.embeddings.position_ids" in sd   # stale buffer is ignored
    # tokenizer from the M-CLIP folder itself: the head count comes from its modelBase config
    official = mclip_from_official_state_dict(sd, tiny_mclip_dir)
    assert official.model.transformer.config.num_hidden_layers == 2
    assert official.model.transformer.config.num_attention_heads == 2
    encoder.clear_cache()
    assert torch.allclose(official.encode(TEXTS), encoder.encode(TEXTS), atol=1e-5)
    cfg = official.config()
    assert cfg["weights"] == "official_state_dict"
    rebuilt = load_text_encoder(cfg, state_dict=sd)
    assert torch.allclose(rebuilt.encode(TEXTS[:1]), encoder.encode(TEXTS[:1]), atol=1e-5)


def test_official_state_dict_errors(tiny_mclip, tiny_mclip_dir):
    sd = tiny_mclip.tiny_official_state_dict(tiny_mclip_dir)
    with pytest.raises(ValueError, match="no text encoder"):
        mclip_from_official_state_dict({k: v for k, v in sd.items() if not k.startswith("text_enc")}, tiny_mclip_dir)
    broken = dict(sd)
    broken.pop("text_enc_model.transformer.encoder.layer.0.attention.self.key.bias")
    with pytest.raises(ValueError, match="missing .*key.bias"):
        mclip_from_official_state_dict(broken, tiny_mclip_dir)


def test_config_round_trip(encoder, tiny_mclip_dir):
    again = load_text_encoder(encoder.config())
    encoder.clear_cache()
    assert torch.allclose(again.encode(TEXTS[:2]), encoder.encode(TEXTS[:2]), atol=1e-6)


def test_load_by_repo_id_from_an_offline_hub_cache(encoder, tiny_mclip, tiny_mclip_dir, offline_hub, tmp_path):
    # the real repo layout: M-CLIP config with modelBase a Hub id, served from the cache as well
    folder = tmp_path / "build"
    shutil.copytree(tiny_mclip_dir, folder)
    config = json.loads((folder / "config.json").read_text())
    config["modelBase"] = "FacebookAI/xlm-roberta-base"
    (folder / "config.json").write_text(json.dumps(config))
    tiny_mclip.add_to_hub_cache(offline_hub, "FacebookAI/xlm-roberta-base", folder / "xlmr_base")
    snapshot = tiny_mclip.add_to_hub_cache(offline_hub, REPO, folder)
    loaded = load_mclip(REPO)
    assert loaded.config()["source"] == REPO
    assert torch.equal(loaded.model.LinearTransformation.weight, encoder.model.LinearTransformation.weight)
    encoder.clear_cache()
    assert torch.allclose(loaded.encode(TEXTS), encoder.encode(TEXTS), atol=1e-6)
    # pinned revision = the snapshot's commit
    assert load_mclip(REPO, revision=snapshot.name).dim == 640


def test_offline_and_not_cached_is_a_clear_error(offline_hub):
    with pytest.raises(HubOfflineError, match="HF_HUB_OFFLINE"):
        load_mclip("M-CLIP/Not-In-The-Cache")


def test_pickle_weights_with_stale_position_ids(encoder, tiny_mclip_dir, tmp_path):
    """The real repository ships pytorch_model.bin (no safetensors), saved by an older transformers."""
    from safetensors.torch import load_file

    folder = tmp_path / "bin"
    shutil.copytree(tiny_mclip_dir, folder)
    weights = load_file(str(folder / "model.safetensors"))
    weights["transformer.embeddings.position_ids"] = torch.arange(66)[None]
    torch.save(weights, folder / "pytorch_model.bin")
    (folder / "model.safetensors").unlink()
    loaded = load_mclip(folder)
    encoder.clear_cache()
    assert torch.allclose(loaded.encode(TEXTS), encoder.encode(TEXTS), atol=1e-6)
    (folder / "pytorch_model.bin").unlink()
    with pytest.raises(FileNotFoundError, match="pytorch_model.bin"):
        load_mclip(folder)


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_matches_cpu(tiny_mclip_dir):
    cpu = load_mclip(tiny_mclip_dir)
    gpu = load_mclip(tiny_mclip_dir).to("cuda")
    out = gpu.encode(TEXTS)
    assert out.device.type == "cuda"
    assert torch.allclose(out.cpu(), cpu.encode(TEXTS), atol=1e-4)
