"""simplemma's German dictionary with its block index on disk: the same lemmas, a damaged index rebuilt."""

from __future__ import annotations

import random

import pytest
import simplemma

from signspark.signs.dsgs import lemma_index as li


@pytest.fixture(scope="module")
def words():
    from simplemma.strategies.dictionaries.dictionary_factory import _load_dictionary_from_disk

    keys = [k.decode() for k in _load_dictionary_from_disk("de")]
    rng = random.Random(0)
    sample = rng.sample(keys, 3000)
    return sample + [w.capitalize() for w in sample[:500]] + ["kleine", "wohnt", "Kindern", "Aufgaben", "xyzzy"]


def _lemmatizer(folder):
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy
    from simplemma.strategies.dictionaries.dictionary_factory import CachingDictionaryFactory

    class Factory(CachingDictionaryFactory):
        def _get_dictionary_uncached(self, lang):
            return li.indexed_stream_map(lang, folder)

    return Lemmatizer(lemmatization_strategy=DefaultStrategy(dictionary_factory=Factory()))


def test_the_index_is_stored_and_gives_simplemmas_lemmas(tmp_path, words):
    built = _lemmatizer(tmp_path)
    assert [built.lemmatize(w, "de") for w in words] == [simplemma.lemmatize(w, lang="de") for w in words]
    files = list(tmp_path.glob("de-*.npz"))
    assert len(files) == 1
    read_back = li.indexed_stream_map("de", tmp_path)
    from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamMap

    own = StreamMap("de")
    assert read_back._firsts == own._firsts and read_back._blocks == own._blocks
    again = _lemmatizer(tmp_path)
    assert [again.lemmatize(w, "de") for w in words] == [simplemma.lemmatize(w, lang="de") for w in words]


@pytest.mark.parametrize("how", ["garbage", "shifted", "checksum"])
def test_a_damaged_index_is_rebuilt(tmp_path, how, monkeypatch):
    import numpy as np

    li.indexed_stream_map("de", tmp_path)
    path = next(tmp_path.glob("de-*.npz"))
    if how == "garbage":
        path.write_bytes(b"not an index")
    else:
        with np.load(path) as z:
            arrays = dict(z)
        arrays["offsets"] = arrays["offsets"] + 1  # restart points that do not fit the stream
        if how == "shifted":
            arrays["checksum"] = np.array(li._checksum(arrays))  # a consistent file, but wrong
        np.savez(path, **arrays)
    from simplemma.strategies.dictionaries import stream_dictionary_factory as sdf

    built = []
    real = sdf.StreamMap

    class Counting(real):
        __slots__ = ()

        def __init__(self, lang):
            built.append(lang)
            super().__init__(lang)

    monkeypatch.setattr(sdf, "StreamMap", Counting)
    m = li.indexed_stream_map("de", tmp_path)
    assert built == ["de"] and m.get("Kindern") == real("de").get("Kindern")
    monkeypatch.setattr(sdf, "StreamMap", real)
    assert li.indexed_stream_map("de", tmp_path)._blocks == m._blocks  # written again, whole


def test_the_dsgs_lexicon_uses_it():
    from signspark.signs.dsgs.lemmas import lemma_keys, lemmatizer

    assert lemma_keys("Kindern") == ("KIND",)
    assert isinstance(lemmatizer()._lemmatization_strategy._dictionary_lookup._dictionary_factory,
                      li.IndexedDictionaryFactory)
