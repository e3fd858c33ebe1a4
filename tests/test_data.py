"""The generated data sets of Sessions 2 and 3 (solutions/rnnlab/data.py): shapes, conventions,
and the properties the notebooks rely on (twins for bag-of-words, ambiguous tags, agreement in
French, marker gaps, the marked token). No TensorFlow; the whole file runs in well under two seconds."""
import ast
import importlib.util
import sys
from collections import Counter, defaultdict

import numpy as np
import pytest

from rnnlab_grader.paths import SOLUTIONS

DATA_PY = SOLUTIONS / "rnnlab" / "data.py"
# Loaded from its file under its own name, so this test never depends on which rnnlab is importable.
_spec = importlib.util.spec_from_file_location("rnnlab_reference_data", DATA_PY)
data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(data)

N = 2000


@pytest.fixture(scope="module")
def sentiment():
    return data.sentiment_corpus(N, seed=3)


@pytest.fixture(scope="module")
def tagging():
    return data.tagging_corpus(N, seed=3)


@pytest.fixture(scope="module")
def translation():
    return data.translation_corpus(N, seed=3)


GENERATORS = {
    "sentiment": lambda n, seed: data.sentiment_corpus(n, seed=seed),
    "tagging": lambda n, seed: data.tagging_corpus(n, seed=seed),
    "translation": lambda n, seed: data.translation_corpus(n, seed=seed),
    "marker": lambda n, seed: data.marker_order(n, 30, 12, seed=seed),
}
# generator -> {field: (shape with N for the number of rows, dtype)}
SHAPES = {
    "sentiment": {"ids": (("N", data.SENTIMENT_LEN), np.int64), "lengths": (("N",), np.int64),
                  "labels": (("N",), np.int64), "order_decides": (("N",), np.bool_)},
    "tagging": {"ids": (("N", data.TAGGING_LEN), np.int64), "tags": (("N", data.TAGGING_LEN), np.int64),
                "mask": (("N", data.TAGGING_LEN), np.bool_), "ambiguous": (("N", data.TAGGING_LEN), np.bool_)},
    "translation": {"src": (("N", data.SOURCE_LEN), np.int64), "tgt": (("N", data.TARGET_LEN), np.int64)},
    "marker": {"ids": (("N", 30), np.int64), "labels": (("N",), np.int64), "positions": (("N", 2), np.int64)},
}


def fields(dataset):
    return {name: getattr(dataset, name) for name in dataset.__dataclass_fields__}


def same(a, b):
    return all(np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y
               for x, y in zip(fields(a).values(), fields(b).values()))


@pytest.mark.parametrize("name", SHAPES)
def test_shapes_and_dtypes(name):
    dataset = GENERATORS[name](37, 0)
    for field, (shape, dtype) in SHAPES[name].items():
        array = getattr(dataset, field)
        expected = tuple(37 if d == "N" else d for d in shape)
        assert array.shape == expected and array.dtype == dtype, \
            f"{name}.{field}: expected {expected} {np.dtype(dtype)}, got {array.shape} {array.dtype}"


@pytest.mark.parametrize("name", GENERATORS)
def test_same_seed_same_data_other_seed_other_data(name):
    make = GENERATORS[name]
    assert same(make(200, 5), make(200, 5)), f"{name}: two calls with seed 5 differ"
    assert not same(make(200, 5), make(200, 6)), f"{name}: seeds 5 and 6 give the same data"


@pytest.mark.parametrize("name", ["sentiment", "tagging", "translation"])
def test_vocabularies_start_with_the_specials_then_sorted_words(name):
    dataset = GENERATORS[name](50, 0)
    vocabs = [dataset.src_vocab, dataset.tgt_vocab] if name == "translation" else [dataset.vocab]
    for vocab in vocabs:
        assert vocab[:3] == ["<pad>", "<s>", "</s>"] and (data.PAD, data.START, data.END) == (0, 1, 2)
        assert vocab[3:] == sorted(set(vocab[3:])), f"{name}: words after the specials are not sorted and unique"


def test_module_imports_only_numpy_and_the_standard_library():
    tree = ast.parse(DATA_PY.read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    foreign = {m for m in imported if m != "numpy" and m not in sys.stdlib_module_names}
    assert not foreign, f"data.py imports {foreign}: only numpy and the standard library are allowed"


# --- helpers ---------------------------------------------------------------------------------

def test_decode_stops_at_end_and_skips_pad_and_start():
    vocab = ["<pad>", "<s>", "</s>", "a", "b"]
    assert data.decode(np.array([1, 3, 0, 4, 2, 3, 0]), vocab) == "a b"
    assert data.decode([3, 4, 3], vocab) == "a b a"


def test_bag_of_words_counts_words_not_padding_nor_order():
    ids = np.array([[3, 4, 3, 0, 0], [4, 3, 3, 0, 0], [5, 0, 0, 0, 0]])
    bags = data.bag_of_words(ids, 6)
    assert bags.shape == (3, 6)
    np.testing.assert_array_equal(bags[0], [0, 0, 0, 2, 1, 0])
    np.testing.assert_array_equal(bags[0], bags[1])
    np.testing.assert_array_equal(bags[2], [0, 0, 0, 0, 0, 1])


def test_split_is_a_partition_of_the_right_sizes():
    train, test = data.split(101, 0.8, seed=1)
    assert (len(train), len(test)) == (81, 20)
    np.testing.assert_array_equal(np.sort(np.concatenate([train, test])), np.arange(101))
    np.testing.assert_array_equal(data.split(101, 0.8, seed=1)[1], test)
    assert not np.array_equal(data.split(101, 0.8, seed=2)[1], test)


# --- sentiment -------------------------------------------------------------------------------

def assert_post_padded(ids, lengths, what):
    positions = np.arange(ids.shape[1])
    words = positions < lengths[:, None]
    assert np.all(ids[words] != data.PAD), f"{what}: a PAD inside a sequence"
    assert np.all(ids[~words] == data.PAD), f"{what}: something other than PAD after the sequence"


def test_sentiment_is_post_padded_and_lengths_agree(sentiment):
    assert_post_padded(sentiment.ids, sentiment.lengths, "sentiment")
    assert sentiment.lengths.min() >= 1 and sentiment.lengths.max() == data.SENTIMENT_LEN
    assert [len(s.split()) for s in sentiment.sentences] == sentiment.lengths.tolist()


def test_sentiment_decodes_to_its_sentences(sentiment):
    for row, sentence in zip(sentiment.ids, sentiment.sentences):
        assert data.decode(row, sentiment.vocab) == sentence


@pytest.mark.parametrize("n", [1000, 1001])
def test_sentiment_labels_are_balanced(n):
    labels = data.sentiment_corpus(n, seed=0).labels
    assert set(labels.tolist()) == {0, 1} and labels.sum() == n - n // 2


GOOD, BAD = set(data._GOOD), set(data._BAD)


def read_in_order(words):
    """A reader that knows the grammar: the last adjective decides, flipped by a "not" just before it."""
    if "loved" in words or "liked" in words:
        return 1
    if "hated" in words or "like" in words:  # "i hated ...", "i did not like ..."
        return 0
    k = max(i for i, w in enumerate(words) if w in GOOD | BAD)
    polarity = int(words[k] in GOOD)
    return 1 - polarity if words[k - 1] == "not" else polarity


def test_sentiment_labels_follow_from_reading_in_order(sentiment):
    wrong = [s for s, y in zip(sentiment.sentences, sentiment.labels) if read_in_order(s.split()) != y]
    assert not wrong, f"{len(wrong)} labels contradict the sentence, e.g. {wrong[:3]}"


@pytest.fixture(scope="module")
def design():
    """sentence -> label, and bag of words -> set of labels, over every sentence the templates make."""
    vocab, families = data._sentiment_design()
    label_of, labels_of_bag = {}, defaultdict(set)
    for ids, labels, _ in families.values():
        for row, label in zip(ids, labels.tolist()):
            sentence = data.decode(row, vocab)
            label_of[sentence] = label
            labels_of_bag[tuple(sorted(sentence.split()))].add(label)
    return label_of, labels_of_bag


def swap_adjectives(sentence):
    words = sentence.split()
    i, j = [k for k, w in enumerate(words) if w in GOOD | BAD]
    words[i], words[j] = words[j], words[i]
    return " ".join(words)


def test_where_order_decides_the_twin_has_the_same_words_and_the_other_label(sentiment, design):
    label_of, _ = design
    rows = np.flatnonzero(sentiment.order_decides)
    assert 0.4 < len(rows) / N < 0.6, f"share of order_decides {len(rows) / N:.2f}, expected about half"
    for i in rows:
        twin = swap_adjectives(sentiment.sentences[i])
        assert sorted(twin.split()) == sorted(sentiment.sentences[i].split())
        assert label_of.get(twin) == 1 - sentiment.labels[i], f"no twin with the other label for {sentiment.sentences[i]!r}"


def test_elsewhere_the_bag_of_words_has_one_label(sentiment, design):
    _, labels_of_bag = design
    for sentence, label, order in zip(sentiment.sentences, sentiment.labels, sentiment.order_decides):
        labels = labels_of_bag[tuple(sorted(sentence.split()))]
        assert (labels == {0, 1}) == order, f"{sentence!r}: order_decides={order} but its bag has labels {labels}"


def test_order_decides_both_ways_in_both_classes(sentiment):
    for label in (0, 1):
        share = sentiment.order_decides[sentiment.labels == label].mean()
        assert 0.35 < share < 0.65, f"label {label}: {share:.2f} of it decided by order"


# --- tagging ---------------------------------------------------------------------------------

def test_tagging_mask_tags_and_padding_agree(tagging):
    assert np.array_equal(tagging.mask, tagging.ids != data.PAD)
    assert np.array_equal(tagging.mask, tagging.tags != 0)
    assert tagging.tagset[0] == "<pad>"
    assert_post_padded(tagging.ids, tagging.mask.sum(axis=1), "tagging")
    assert tagging.mask.sum(axis=1).max() <= data.TAGGING_LEN


def tags_per_word(tagging):
    seen = defaultdict(Counter)
    for word, tag in zip(tagging.ids[tagging.mask].tolist(), tagging.tags[tagging.mask].tolist()):
        seen[tagging.vocab[word]][tagging.tagset[tag]] += 1
    return seen


def test_ambiguous_words_have_two_tags_and_the_others_one(tagging):
    seen = tags_per_word(tagging)
    flagged = {tagging.vocab[i] for i in np.unique(tagging.ids[tagging.ambiguous])}
    assert flagged == set(data.AMBIGUOUS_WORDS)
    for word, tags in seen.items():
        if word in flagged:
            assert set(tags) == {"NOUN", "VERB"}, f"{word!r} is flagged ambiguous but tagged {dict(tags)}"
        else:
            assert len(tags) == 1, f"{word!r} is not flagged ambiguous but tagged {dict(tags)}"


def test_majority_tagger_fails_on_ambiguous_words_left_context_does_not(tagging):
    seen = tags_per_word(tagging)
    correct = sum(max(seen[w].values()) for w in data.AMBIGUOUS_WORDS)
    total = sum(sum(seen[w].values()) for w in data.AMBIGUOUS_WORDS)
    assert correct / total < 0.65, f"a majority tagger gets {correct / total:.2f} of the ambiguous tokens"
    # The left context decides: after DET or ADJ a noun, otherwise a verb.
    names = np.array(tagging.tagset)[tagging.tags]
    rows, cols = np.nonzero(tagging.ambiguous)
    previous = names[rows, cols - 1]
    expected = np.where(np.isin(previous, ["DET", "ADJ"]), "NOUN", "VERB")
    assert np.array_equal(names[rows, cols], expected)


# --- translation -----------------------------------------------------------------------------

def test_translation_source_has_no_markers_target_ends_with_end(translation):
    src, tgt = translation.src, translation.tgt
    assert not np.isin(src, [data.START, data.END]).any()
    src_len = (src != data.PAD).sum(axis=1)
    assert_post_padded(src, src_len, "src")
    assert np.all((tgt == data.END).sum(axis=1) == 1) and not (tgt == data.START).any()
    end_at = np.argmax(tgt == data.END, axis=1)
    assert_post_padded(tgt, end_at + 1, "tgt")
    assert np.array_equal(end_at, src_len), "French has as many words as English in this design"
    assert translation.src_vocab != translation.tgt_vocab


def test_translation_decodes_to_its_pairs(translation):
    for src, tgt, (english, french) in zip(translation.src, translation.tgt, translation.pairs):
        assert data.decode(src, translation.src_vocab) == english
        assert data.decode(tgt, translation.tgt_vocab) == french


FEMININE = {"noire", "noires", "blanche", "blanches", "verte", "vertes", "grise", "grises"}
MASCULINE = {"noir", "noirs", "blanc", "blancs", "vert", "verts"}
COLOURS = FEMININE | MASCULINE | {"gris", "rouge", "rouges"}


def test_french_agrees_and_puts_colours_after_the_noun(translation):
    for english, french in translation.pairs:
        en, fr = english.split(), french.split()
        en_verb = next(w for w in en if w in {"see", "sees", "eat", "eats", "like", "likes", "follow", "follows"})
        fr_verb = next(w for w in fr if w in {"voit", "voient", "mange", "mangent", "aime", "aiment", "suit", "suivent"})
        assert en_verb.endswith("s") != fr_verb.endswith("ent"), (english, french)
        for k, word in enumerate(fr):
            if word in COLOURS:
                assert fr[k - 2] in {"le", "la", "les"}, f"colour not after the noun: {french!r}"
                article = fr[k - 2]
                if word in FEMININE:
                    assert article in {"la", "les"}, f"feminine colour with {article!r}: {french!r}"
                if word in MASCULINE:
                    assert article in {"le", "les"}, f"masculine colour with {article!r}: {french!r}"
                if article == "les":
                    assert word.endswith("s"), f"singular colour with 'les': {french!r}"
                else:
                    assert not word.endswith("s") or word == "gris", f"plural colour with {article!r}: {french!r}"
        assert sum(w in COLOURS for w in fr) == sum(w in {"black", "white", "red", "green", "grey"} for w in en)


def test_french_nouns_in_the_plural():
    pairs = dict(data.translation_corpus(3000, seed=0).pairs)
    french = " ".join(pairs.values()).split()
    for plural in ("chevaux", "gâteaux", "souris", "chèvres"):
        assert plural in french
    assert "chevals" not in french and "gâteaus" not in french and "souriss" not in french


# --- marked recall (Session 2) ---------------------------------------------------------------

@pytest.mark.parametrize("lag", [0, 1, 16])
def test_marked_recall_holds_the_token_and_the_marker_at_step_0_then_noise(lag):
    inputs, targets = data.marked_recall(3000, lag, vocab_size=8, noise=0.5, seed=4, dtype=np.float32)
    assert inputs.shape == (3000, lag + 1, 9) and inputs.dtype == np.float32 and targets.dtype == np.int64
    np.testing.assert_array_equal(inputs[:, 0, :8], np.eye(8)[targets])
    assert np.all(inputs[:, 0, 8] == 1) and np.all(inputs[:, 1:, 8] == 0)  # the marker, at step 0 only
    assert np.bincount(targets, minlength=8).min() > 300  # every token is asked for
    if lag:
        noise = inputs[:, 1:, :8]
        assert abs(noise.mean()) < 0.01 and abs(noise.std() - 0.5) < 0.01


def test_marked_recall_seeds_and_bad_lag():
    first, again, other = (data.marked_recall(100, 5, 4, seed=s) for s in (1, 1, 2))
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[0], other[0])
    assert first[0].dtype == np.float64
    with pytest.raises(ValueError):
        data.marked_recall(10, -1, 4)


# --- marker order ----------------------------------------------------------------------------

@pytest.mark.parametrize("seq_len, gap, margin", [(40, 20, 4), (12, 1, 0), (30, 25, 2)])
def test_markers_once_each_far_enough_apart_and_label_says_which_first(seq_len, gap, margin):
    m = data.marker_order(1001, seq_len, gap, vocab_size=8, seed=2, margin=margin)
    assert m.ids.min() >= 3 and m.ids.max() < 8 and len(m.vocab) == 8
    assert np.all((m.ids == data.MARKER_A).sum(axis=1) == 1) and np.all((m.ids == data.MARKER_B).sum(axis=1) == 1)
    a, b = np.argmax(m.ids == data.MARKER_A, axis=1), np.argmax(m.ids == data.MARKER_B, axis=1)
    np.testing.assert_array_equal(m.positions, np.stack([a, b], axis=1))
    assert np.abs(a - b).min() >= gap
    assert min(a.min(), b.min()) >= margin and max(a.max(), b.max()) < seq_len - margin
    np.testing.assert_array_equal(m.labels, (a < b).astype(np.int64))
    assert m.labels.sum() == 501


def test_marker_positions_spread_over_the_allowed_range():
    m = data.marker_order(4000, 40, 10, seed=0, margin=4)
    first = m.positions.min(axis=1)
    distance = np.abs(m.positions[:, 0] - m.positions[:, 1])
    assert first.min() == 4 and m.positions.max() == 35 and distance.min() == 10 and distance.max() == 31


@pytest.mark.parametrize("kwargs", [dict(gap=0), dict(gap=40), dict(gap=33, margin=4), dict(gap=5, vocab_size=5)])
def test_marker_order_rejects_impossible_settings(kwargs):
    with pytest.raises(ValueError):
        data.marker_order(10, 40, **kwargs)


def test_sunspots_are_the_published_yearly_numbers():
    # Checked against the copy statsmodels 0.15.0 distributes, once, when the numbers were typed in.
    years, values = data.sunspots()
    assert years.tolist() == list(range(1700, 2009)) and values.dtype == np.float64
    assert years[np.argmax(values)] == 1957 and values.max() == 190.2
    assert years[values == 0].tolist() == [1711, 1712, 1810]
    assert round(float(values.sum()), 1) == 15373.4


def test_every_data_set_has_a_card():
    cards = (SOLUTIONS / "DATA.md").read_text()
    for name in ("marked_recall", "sentiment_corpus", "tagging_corpus", "translation_corpus", "marker_order", "character_text",
                 "seasonal_series", "sunspots", "lookahead_tags"):
        assert f"`{name}`" in cards or f"`{name}," in cards, name


def test_lookahead_tags_are_decided_by_the_token_ahead():
    ids, tags = data.lookahead_tags(400, 12, 10, ahead=2, seed=0)
    assert ids.shape == tags.shape == (400, 12) and ids.dtype == tags.dtype == np.int64
    assert ids.min() == 1 and ids.max() == 10  # 0 is padding
    assert np.array_equal(tags[:, :10], ids[:, 2:] % 2) and np.array_equal(tags[:, 10:], np.stack([ids[:, -1] % 2] * 2, 1))
    # What a forward reader has read up to step t says nothing of the tag there: its own token's parity agrees by chance.
    assert abs(np.mean(tags[:, :10] == ids[:, :10] % 2) - 0.5) < 0.05
