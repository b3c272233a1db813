"""The synthetic corpus: LMDB output and the `signspark corpus` command."""

from signspark.keyframes import segment_bounds


def test_corpus_lmdb_written_and_read_back(tmp_path):
    from signspark import data
    from signspark.data.corpus.generate import CorpusConfig, build_corpus, iter_clips

    cfg = CorpusConfig(clips=10, seed=4, languages=("ASL", "CSL"))
    written = build_corpus(tmp_path, cfg, progress=False)
    assert set(written) == {f"{l}/{s}" for l in ("ASL", "CSL") for s in ("train", "dev", "test")}
    path = tmp_path / "train" / "fingerspell_CSL_train.lmdb"
    store = data.LmdbClipStore(path)
    assert len(store) == 8
    expected = dict(iter_clips("CSL", "train", 8, cfg))
    for rec in store:
        seq = expected[rec.clip_id]
        assert rec.language == "CSL" and rec.translation == seq.text and rec.gloss == seq.gloss
        assert rec.body_features.shape == (seq.num_frames, 126)
        assert segment_bounds(rec.segment) == [tuple(s) for s in seq.segments.tolist()]
    # the held-out splits use words not seen in training
    train_texts = {r.translation for r in store}
    test_store = data.LmdbClipStore(tmp_path / "test" / "fingerspell_CSL_test.lmdb")
    assert all(w not in train_texts for r in test_store for w in r.translation.split())


def test_cli_corpus(tmp_path, capsys):
    from signspark.cli import main

    assert main(["corpus", "--out", str(tmp_path), "--clips", "3", "--languages", "BSL", "--no-progress"]) == 0
    assert (tmp_path / "train" / "fingerspell_BSL_train.lmdb").exists()
    assert main(["corpus", "--out", str(tmp_path), "--clips", "3", "--languages", "XSL"]) == 2
    assert "XSL" in capsys.readouterr().err
    assert main(["corpus", "--out", str(tmp_path), "--splits", "0.5", "0.5", "0.5"]) == 2
