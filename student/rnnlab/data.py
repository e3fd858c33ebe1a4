"""Small generated data sets for the notebooks: nothing is downloaded."""
import dataclasses
import functools
from collections import defaultdict

import numpy as np


def one_hot(ids, num_classes, dtype=np.float64):
    """One-hot vectors for integer ids.

    Args:
        ids: (...) integer ids in [0, num_classes).
        num_classes: V.

    Returns:
        (..., V) array with a single 1 per id.
    """
    return np.eye(num_classes, dtype=dtype)[ids]


def delayed_echo(num_sequences, seq_len, vocab_size, delay, seed=0):
    """A sequence task that needs memory: at step t, name the token seen at t - delay.

    Tokens are drawn uniformly from [0, vocab_size). The first `delay` steps
    have no answer yet, so they are masked out of the loss and the accuracy.

    Args:
        num_sequences: N.
        seq_len: T.
        vocab_size: V.
        delay: how many steps back the answer lies (0 means "the current token").
        seed: seed of the random generator, for reproducible data.

    Returns:
        ids: (N, T) int64 input tokens.
        targets: (N, T) int64 labels; targets[:, t] = ids[:, t - delay].
        mask: (N, T) bool, False for the first `delay` steps.
    """
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, vocab_size, size=(num_sequences, seq_len))
    targets = np.zeros_like(ids)
    targets[:, delay:] = ids[:, : seq_len - delay]
    mask = np.zeros(ids.shape, dtype=bool)
    mask[:, delay:] = True
    return ids, targets, mask


def lookahead_tags(num_sequences, seq_len, vocab_size, ahead, seed=0):
    """A tagging task where a later token decides: each step's tag is the parity of the token
    `ahead` steps later (of the last token, for the last `ahead` steps).

    A model that reads only forward cannot know a tag before it has read the token that decides it,
    so it guesses (right half of the time), except at the last step; one that also reads backward
    can know every tag.

    Args:
        num_sequences: N.
        seq_len: T.
        vocab_size: V; tokens are 1..V (0 is left for padding, as Embedding(mask_zero=True) reads it).
        ahead: how many steps later the deciding token lies.
        seed: seed of the random generator, for reproducible data.

    Returns:
        ids: (N, T) int64 tokens in 1..V.
        tags: (N, T) int64 in {0, 1}; tags[:, t] = ids[:, min(t + ahead, T - 1)] % 2.
    """
    rng = np.random.default_rng(seed)
    ids = rng.integers(1, vocab_size + 1, size=(num_sequences, seq_len))
    deciding = np.minimum(np.arange(seq_len) + ahead, seq_len - 1)
    return ids, ids[:, deciding] % 2


def marked_recall(num_sequences, lag, vocab_size, noise=1.0, seed=0, dtype=np.float64):
    """A many-to-one memory task: name the marked token, seen `lag` noisy steps before the end.

    Step 0 holds the token to recall, one-hot in channels 0..V-1, and a 1 in channel V (the
    marker). Each of the `lag` later steps holds Gaussian noise of standard deviation `noise` in
    channels 0..V-1 and a 0 in the marker. The noise enters through the same input weights as the
    token, at every step, so a model must keep the token and keep the noise out of its state;
    a gate can learn to write only when the marker is on.

    Args:
        num_sequences: N.
        lag: steps between the token and the end; T = lag + 1 (lag >= 0).
        vocab_size: V.
        noise: standard deviation of the noise (0 gives silent steps).
        seed: seed of the random generator.
        dtype: dtype of the inputs.

    Returns:
        inputs: (N, lag + 1, V + 1) `dtype`.
        targets: (N,) int64 tokens, the argmax of inputs[:, 0, :V].
    """
    if lag < 0:
        raise ValueError(f"lag must be at least 0, got {lag}")
    rng = np.random.default_rng(seed)
    targets = rng.integers(0, vocab_size, size=num_sequences)
    inputs = np.zeros((num_sequences, lag + 1, vocab_size + 1), dtype=dtype)
    inputs[:, 0, :vocab_size] = one_hot(targets, vocab_size)
    inputs[:, 0, vocab_size] = 1.0
    inputs[:, 1:, :vocab_size] = noise * rng.standard_normal((num_sequences, lag, vocab_size))
    return inputs, targets


# ---------------------------------------------------------------------------------------------
# Session 3: text-like sets for the architectures (many-to-one, synced many-to-many,
# encoder-decoder) and a CNN-vs-RNN task. Everything comes from templates and a seed.
#
# Shared conventions:
#   - ids 0, 1, 2 are PAD, START and END in every vocabulary ("<pad>", "<s>", "</s>"), the
#     words follow in sorted order, so a word's id never depends on the seed or on n;
#   - sequences are padded with PAD at the end ("post" padding, as Keras'
#     pad_sequences(padding="post")), so Keras' Embedding(mask_zero=True) masks the padding;
#   - arrays are int64 (ids, labels) or bool (masks); each generator returns a frozen
#     dataclass, whose fields are listed in its docstring.
#   - A generator draws with replacement from finite templates, so a set holds duplicates
#     (each docstring says how many distinct items exist). Split one generated set with
#     `split`; two sets drawn with different seeds overlap.
# ---------------------------------------------------------------------------------------------
PAD, START, END = 0, 1, 2
SPECIALS = ("<pad>", "<s>", "</s>")


def _vocabulary(words):
    """SPECIALS followed by the distinct words, sorted: ids stable across seeds and sizes."""
    return list(SPECIALS) + sorted(set(words) - set(SPECIALS))


def _encode(token_lists, vocab, width, end=False):
    """(N, width) int64 ids of the token lists, post-padded with PAD (an END after each if end)."""
    index = {word: i for i, word in enumerate(vocab)}
    ids = np.full((len(token_lists), width), PAD, dtype=np.int64)
    for row, tokens in enumerate(token_lists):
        encoded = [index[w] for w in tokens] + ([END] if end else [])
        ids[row, : len(encoded)] = encoded
    return ids


def _balanced_labels(n, rng):
    """(n,) int64 labels, n // 2 zeros and n - n // 2 ones, in random order."""
    return rng.permutation((np.arange(n) >= n // 2).astype(np.int64))


def decode(ids, vocab):
    """The words of one sequence of ids, joined by spaces.

    Stops at the first END, skips PAD and START, so that
    decode(corpus.ids[i], corpus.vocab) == corpus.sentences[i].

    Args:
        ids: (T,) integer ids.
        vocab: list of str, the id -> word table.

    Returns:
        str.
    """
    words = []
    for i in np.asarray(ids).ravel().tolist():
        if i == END:
            break
        if i not in (PAD, START):
            words.append(vocab[i])
    return " ".join(words)


def bag_of_words(ids, vocab_size):
    """Word counts per sequence, the input of a bag-of-words baseline (word order is lost).

    Args:
        ids: (N, T) integer ids.
        vocab_size: V.

    Returns:
        (N, V) float64 counts; column PAD is always 0 (padding is not a word).
    """
    ids = np.asarray(ids)
    counts = np.zeros((ids.shape[0], vocab_size))
    np.add.at(counts, (np.arange(ids.shape[0])[:, None], ids), 1.0)
    counts[:, PAD] = 0.0
    return counts


def split(n, fraction=0.8, seed=0):
    """A random train/test split of n examples.

    Args:
        n: number of examples.
        fraction: share of them in the training part.
        seed: seed of the random generator.

    Returns:
        train_index: (round(fraction * n),) int64 indices, sorted.
        test_index: the other indices, sorted.
    """
    order = np.random.default_rng(seed).permutation(n)
    cut = int(round(fraction * n))
    return np.sort(order[:cut]), np.sort(order[cut:])


# --- 1. Sentiment: many-to-one, where word order and negation decide the label -------------

@dataclasses.dataclass(frozen=True)
class SentimentSet:
    """Output of sentiment_corpus: N sentences, T = SENTIMENT_LEN."""
    ids: np.ndarray            # (N, T) int64 word ids, post-padded with PAD
    lengths: np.ndarray        # (N,) int64 number of words (1 <= length <= T)
    labels: np.ndarray         # (N,) int64 1 positive, 0 negative
    vocab: list                # id -> word
    sentences: list            # N str, words joined by spaces
    order_decides: np.ndarray  # (N,) bool: the same bag of words also has the other label


_FILMS = ("acting", "cast", "ending", "film", "movie", "music", "plot", "story")
_GOOD = ("brilliant", "clever", "fun", "funny", "good", "great")
_BAD = ("awful", "bad", "boring", "dull", "silly", "weak")
# family -> (sampling weight, the word order decides the label)
_SENTIMENT_FAMILIES = {
    "plain": (0.15, False),       # the plot was very good
    "negated": (0.15, False),     # the plot was not good (at all)
    "verb": (0.10, False),        # i loved the plot / i did not like the plot
    "and": (0.10, False),         # the plot was good and clever
    "contrast": (0.125, True),    # the plot was good , not bad
    "not_but": (0.125, True),     # the plot was not bad but good
    "expected": (0.125, True),    # i thought the plot would be bad but it was good
    "not_at_all": (0.125, True),  # the plot was not bad at all , it was good
}
SENTIMENT_LEN = 11  # the longest template ("expected", "not_at_all")


def _sentiment_family(name):
    """Every (tokens, label) pair the template family `name` can produce."""
    out = []
    polar = [(a, 1) for a in _GOOD] + [(a, 0) for a in _BAD]
    for film in _FILMS:
        if name == "verb":
            out += [(["i", v, "the", film], 1) for v in ("loved", "liked")]
            out += [(["i", "hated", "the", film], 0), (["i", "did", "not", "like", "the", film], 0)]
            continue
        for verb in ("is", "was"):
            np_ = ["the", film, verb]
            for adj, pol in polar:
                if name == "plain":
                    out += [(np_ + extra + [adj], pol) for extra in ([], ["very"], ["really"])]
                elif name == "negated":
                    out += [(np_ + ["not", adj], 1 - pol), (np_ + ["not", adj, "at", "all"], 1 - pol)]
                elif name == "and":
                    out += [(np_ + [adj, "and", other], pol) for other, p in polar if p == pol and other != adj]
                else:  # twins: the two adjectives have opposite polarity; swapping them flips the label
                    for other, p in polar:
                        if p == pol:
                            continue
                        if name == "contrast":
                            out.append((np_ + [adj, ",", "not", other], pol))
                        elif name == "not_but":
                            out.append((np_ + ["not", other, "but", adj], pol))
                        elif name == "not_at_all":
                            out.append((np_ + ["not", other, "at", "all", ",", "it", verb, adj], pol))
                        elif name == "expected" and verb == "was":
                            out.append((["i", "thought", "the", film, "would", "be", other, "but", "it", "was", adj], pol))
    return out


@functools.lru_cache(maxsize=1)
def _sentiment_design():
    """All distinct sentences of the design: (vocab, {family: (ids, labels, order_decides)})."""
    families = {name: _sentiment_family(name) for name in _SENTIMENT_FAMILIES}
    rows = [row for family in families.values() for row in family]
    vocab = _vocabulary(w for tokens, _ in rows for w in tokens)
    labels_of_bag = defaultdict(set)
    for tokens, label in rows:
        labels_of_bag[tuple(sorted(tokens))].add(label)
    design = {}
    for name, family in families.items():
        ids = _encode([t for t, _ in family], vocab, SENTIMENT_LEN)
        labels = np.array([label for _, label in family], dtype=np.int64)
        order = np.array([len(labels_of_bag[tuple(sorted(t))]) == 2 for t, _ in family])
        for array in (ids, labels, order):
            array.flags.writeable = False
        design[name] = (ids, labels, order)
    return vocab, design


def sentiment_corpus(n, seed=0):
    """Movie-review sentences labelled positive (1) or negative (0), for a many-to-one model.

    Eight template families (see _SENTIMENT_FAMILIES): plain ("the plot was very good"),
    negated ("the plot was not good at all"), verbs ("i did not like the plot"), conjunctions
    ("the plot was good and clever"), and four families of twins, about half of the set, where
    swapping the two adjectives flips the label but keeps the multiset of words:
    "the film was good , not bad" (1) / "the film was bad , not good" (0);
    "the film was not bad but good"; "i thought the film would be bad but it was good";
    "the film was not bad at all , it was good". A bag-of-words model is at chance on the twins
    (`order_decides`), a model that reads in order is not. Labels are exactly balanced (n // 2
    negatives); within a family and label, sentences are drawn uniformly, with replacement; the
    design has 5984 distinct sentences over 41 words (44 ids with PAD, START, END).

    Args:
        n: N, number of sentences.
        seed: seed of the random generator.

    Returns:
        SentimentSet with ids (N, SENTIMENT_LEN) int64 post-padded, lengths (N,) int64,
        labels (N,) int64, vocab, sentences (N str), order_decides (N,) bool.
    """
    rng = np.random.default_rng(seed)
    vocab, design = _sentiment_design()
    names = list(_SENTIMENT_FAMILIES)
    weights = np.array([_SENTIMENT_FAMILIES[f][0] for f in names])
    labels = _balanced_labels(n, rng)
    family = rng.choice(len(names), size=n, p=weights / weights.sum())
    ids = np.zeros((n, SENTIMENT_LEN), dtype=np.int64)
    order_decides = np.zeros(n, dtype=bool)
    for f, name in enumerate(names):
        f_ids, f_labels, f_order = design[name]
        for label in (0, 1):
            rows = np.flatnonzero((family == f) & (labels == label))
            pool = np.flatnonzero(f_labels == label)
            pick = pool[rng.integers(0, len(pool), size=len(rows))]
            ids[rows] = f_ids[pick]
            order_decides[rows] = f_order[pick]
    lengths = (ids != PAD).sum(axis=1).astype(np.int64)
    sentences = [decode(row, vocab) for row in ids]
    return SentimentSet(ids, lengths, labels, vocab, sentences, order_decides)


# --- 2. Tagging: many-to-many (synced), where the tag of an ambiguous word needs context ----

@dataclasses.dataclass(frozen=True)
class TaggingSet:
    """Output of tagging_corpus: N sentences, T = TAGGING_LEN."""
    ids: np.ndarray        # (N, T) int64 word ids, post-padded with PAD
    tags: np.ndarray       # (N, T) int64 tag ids, 0 ("<pad>") on padding
    mask: np.ndarray       # (N, T) bool, True on real words
    vocab: list            # id -> word
    tagset: list           # tag id -> tag name, entry 0 "<pad>"
    ambiguous: np.ndarray  # (N, T) bool, True on words the design uses both as NOUN and VERB


TAGSET = ["<pad>", "DET", "ADJ", "NOUN", "VERB", "ADV", "PREP"]
TAGGING_LEN = 12  # DET ADJ NOUN ADV VERB DET ADJ NOUN PREP DET ADJ NOUN
# Used as NOUN and as VERB: the tag follows from the left context (after DET or ADJ: NOUN).
AMBIGUOUS_WORDS = ("book", "cook", "fly", "park", "play", "saw", "train", "watch")
_SUBJECTS = ("boys", "children", "girls", "pilots", "students", "teachers")
_SUBJECT_DETS = ("my", "some", "the", "these")
_OBJECT_DETS = ("a", "my", "the", "this")
_ADJECTIVES = ("big", "little", "new", "red", "small", "young")  # consonant first: "a big ..."
_ADVERBS = ("always", "never", "often", "sometimes")
# verb -> the objects it takes (first the ambiguous ones; "saw" is the past of see)
_VERB_OBJECTS = {
    "book": ("room", "table", "train", "trip"),
    "cook": ("cake", "meal", "soup"),
    "fly": ("kite", "plane"),
    "park": ("bike", "car"),
    "play": ("ball", "game", "piano"),
    "saw": ("book", "cook", "dog", "fly", "park", "play", "saw", "train", "watch"),
    "train": ("cook", "dog", "horse"),
    "watch": ("bird", "cook", "dog", "fly", "game", "play"),
    "buy": ("book", "car", "kite", "saw", "watch"),
    "catch": ("ball", "fly", "train"),
    "find": ("ball", "dog", "fly", "letter", "saw", "watch"),
    "like": ("dog", "game", "park", "play", "watch"),
    "read": ("book", "letter", "play"),
}
_PLACES = {  # preposition -> the nouns it takes
    "by": ("car", "house", "river"),
    "in": ("garden", "house", "park", "room"),
    "near": ("garden", "house", "park", "river"),
    "on": ("table", "train"),
    "with": ("book", "cook", "saw", "watch"),
}
# How often each optional part appears, and how often the verb is an ambiguous one: tuned so
# that every ambiguous word is a NOUN about as often as a VERB.
_TAGGING_P = {"subject_adj": 0.4, "adverb": 0.3, "object_adj": 0.4, "place": 0.5, "place_adj": 0.3,
              "ambiguous_verb": 0.6}


def _tagging_words():
    """Every word the tagging templates use."""
    words = set(_SUBJECTS + _SUBJECT_DETS + _OBJECT_DETS + _ADJECTIVES + _ADVERBS) | set(_VERB_OBJECTS) | set(_PLACES)
    words |= {w for nouns in list(_VERB_OBJECTS.values()) + list(_PLACES.values()) for w in nouns}
    return words


def tagging_corpus(n, seed=0):
    """Sentences with a part-of-speech tag per word, for a synced many-to-many model.

    Template: DET ADJ? NOUN ADV? VERB DET ADJ? NOUN (PREP DET ADJ? NOUN)?, e.g.
    "the children often watch the red bird in the park" -> DET NOUN ADV VERB DET ADJ NOUN
    PREP DET NOUN. Subjects are plural nouns, verbs are base forms (or "saw"), and each verb only
    takes objects that make sense. Eight words (AMBIGUOUS_WORDS: watch, fly, book, play, saw,
    train, park, cook) are used both as NOUN and as VERB, about equally often, so a tagger that
    gives each word its most frequent tag is wrong on about half of them, while the left context
    decides: after DET or ADJ a NOUN, after the subject or an adverb a VERB. About 6e8
    distinct sentences (60 words), so duplicates are rare.

    Args:
        n: N, number of sentences.
        seed: seed of the random generator.

    Returns:
        TaggingSet with ids, tags (N, TAGGING_LEN) int64 post-padded, mask (N, TAGGING_LEN) bool,
        vocab, tagset (TAGSET), ambiguous (N, TAGGING_LEN) bool.
    """
    rng = np.random.default_rng(seed)
    coin = {part: (rng.random(n) < p).tolist() for part, p in _TAGGING_P.items()}
    slots = ("det", "adj", "subject", "adverb", "verb", "object_det", "object_adj", "object",
             "prep", "place_det", "place_adj", "place")
    draw = dict(zip(slots, rng.random((len(slots), n)).tolist()))  # one uniform draw per slot and sentence
    ambiguous_verbs = [v for v in _VERB_OBJECTS if v in AMBIGUOUS_WORDS]
    other_verbs = [v for v in _VERB_OBJECTS if v not in AMBIGUOUS_WORDS]

    def choose(options, slot, i):
        return options[int(draw[slot][i] * len(options))]

    sentences, tag_names = [], []
    for i in range(n):
        tagged = [(choose(_SUBJECT_DETS, "det", i), "DET")]
        if coin["subject_adj"][i]:
            tagged.append((choose(_ADJECTIVES, "adj", i), "ADJ"))
        tagged.append((choose(_SUBJECTS, "subject", i), "NOUN"))
        if coin["adverb"][i]:
            tagged.append((choose(_ADVERBS, "adverb", i), "ADV"))
        verb = choose(ambiguous_verbs if coin["ambiguous_verb"][i] else other_verbs, "verb", i)
        tagged += [(verb, "VERB"), (choose(_OBJECT_DETS, "object_det", i), "DET")]
        if coin["object_adj"][i]:
            tagged.append((choose(_ADJECTIVES, "object_adj", i), "ADJ"))
        tagged.append((choose(_VERB_OBJECTS[verb], "object", i), "NOUN"))
        if coin["place"][i]:
            prep = choose(list(_PLACES), "prep", i)
            tagged += [(prep, "PREP"), (choose(_OBJECT_DETS, "place_det", i), "DET")]
            if coin["place_adj"][i]:
                tagged.append((choose(_ADJECTIVES, "place_adj", i), "ADJ"))
            tagged.append((choose(_PLACES[prep], "place", i), "NOUN"))
        sentences.append([word for word, _ in tagged])
        tag_names.append([tag for _, tag in tagged])
    vocab = _vocabulary(_tagging_words())
    ids = _encode(sentences, vocab, TAGGING_LEN)
    tags = _encode(tag_names, TAGSET, TAGGING_LEN)
    ambiguous_ids = [vocab.index(w) for w in AMBIGUOUS_WORDS]
    return TaggingSet(ids, tags, ids != PAD, vocab, list(TAGSET), np.isin(ids, ambiguous_ids))


# --- 3. Translation: many-to-many encoder-decoder, English -> French ---------------------

@dataclasses.dataclass(frozen=True)
class TranslationSet:
    """Output of translation_corpus: N sentence pairs."""
    src: np.ndarray   # (N, SOURCE_LEN) int64 English ids, post-padded, no START or END
    tgt: np.ndarray   # (N, TARGET_LEN) int64 French ids, then END, then PAD
    src_vocab: list   # id -> English word
    tgt_vocab: list   # id -> French word
    pairs: list       # N (english, french) str pairs


SOURCE_LEN = 7  # the ADJ NOUN VERB the ADJ NOUN
TARGET_LEN = 8  # le NOUN ADJ VERB le NOUN ADJ </s>
# english: (singular, plural, french singular, french plural, gender)
_ANIMALS = {
    "cat": ("cat", "cats", "chat", "chats", "m"),
    "cow": ("cow", "cows", "vache", "vaches", "f"),
    "dog": ("dog", "dogs", "chien", "chiens", "m"),
    "goat": ("goat", "goats", "chèvre", "chèvres", "f"),
    "horse": ("horse", "horses", "cheval", "chevaux", "m"),
    "mouse": ("mouse", "mice", "souris", "souris", "f"),
}
_THINGS = {
    "apple": ("apple", "apples", "pomme", "pommes", "f"),
    "ball": ("ball", "balls", "ballon", "ballons", "m"),
    "book": ("book", "books", "livre", "livres", "m"),
    "cake": ("cake", "cakes", "gâteau", "gâteaux", "m"),
    "car": ("car", "cars", "voiture", "voitures", "f"),
    "flower": ("flower", "flowers", "fleur", "fleurs", "f"),
    "house": ("house", "houses", "maison", "maisons", "f"),
}
_NOUNS = {**_ANIMALS, **_THINGS}
# colours, after the noun in French: (masculine, feminine, masculine plural, feminine plural)
_COLOURS = {
    "black": ("noir", "noire", "noirs", "noires"),
    "green": ("vert", "verte", "verts", "vertes"),
    "grey": ("gris", "grise", "gris", "grises"),
    "red": ("rouge", "rouge", "rouges", "rouges"),
    "white": ("blanc", "blanche", "blancs", "blanches"),
}
# english verb: (singular, plural, french singular, french plural, objects); subjects are animals
_VERBS = {
    "eat": ("eats", "eat", "mange", "mangent", ("apple", "cake", "flower", "mouse")),
    "follow": ("follows", "follow", "suit", "suivent", tuple(_ANIMALS) + ("car",)),
    "like": ("likes", "like", "aime", "aiment", tuple(_NOUNS)),
    "see": ("sees", "see", "voit", "voient", tuple(_NOUNS)),
}
_ARTICLES = {("m", False): "le", ("f", False): "la", ("m", True): "les", ("f", True): "les"}


def _noun_phrase(noun, plural, colour):
    """(english words, french words) of "the [colour] noun"; French puts the colour after the noun."""
    en_sg, en_pl, fr_sg, fr_pl, gender = _NOUNS[noun]
    english = ["the"] + ([colour] if colour else []) + [en_pl if plural else en_sg]
    french = [_ARTICLES[gender, plural], fr_pl if plural else fr_sg]
    if colour:
        french.append(_COLOURS[colour][2 * plural + (gender == "f")])
    return english, french


def translation_corpus(n, seed=0):
    """English -> French sentence pairs, for an encoder-decoder model.

    "the black cat sees the white dogs" is the kind of sentence: subject (an animal), verb (see,
    eat, like, follow; each with the objects that make sense), object, each noun phrase singular
    or plural with probability 1/2 and with a colour with probability 1/2, e.g.
    "the black cats see the red car" -> "les chats noirs voient la voiture rouge".
    French moves the colour after the noun, makes article and colour agree with the noun's
    gender and number (le/la/les; noir, noire, noirs, noires) and the verb with the subject
    (voit/voient), and has irregular plurals (chevaux, gâteaux, invariable souris). English and
    French have different vocabularies; a pair has as many French words as English ones.
    31968 distinct pairs.

    For teacher forcing, the decoder input is tgt shifted right behind START:
    np.concatenate([np.full((N, 1), START), tgt[:, :-1]], axis=1).

    Args:
        n: N, number of pairs.
        seed: seed of the random generator.

    Returns:
        TranslationSet with src (N, SOURCE_LEN) int64 post-padded English ids (no START/END),
        tgt (N, TARGET_LEN) int64 French ids followed by END then PAD, src_vocab, tgt_vocab,
        pairs (N (english, french) str).
    """
    rng = np.random.default_rng(seed)
    animals, verbs, colours = list(_ANIMALS), list(_VERBS), [None] + list(_COLOURS)
    subject = rng.integers(0, len(animals), size=n)
    verb = rng.integers(0, len(verbs), size=n)
    obj = rng.random(n)  # an object uniformly among the verb's objects
    plural = rng.random((n, 2)) < 0.5
    colour = np.where(rng.random((n, 2)) < 0.5, rng.integers(1, len(colours), size=(n, 2)), 0)
    english, french = [], []
    rows = zip(subject.tolist(), verb.tolist(), obj.tolist(), plural.tolist(), colour.tolist())
    for subject_i, verb_i, obj_u, (subject_pl, object_pl), (subject_colour, object_colour) in rows:
        en_sg, en_pl, fr_sg, fr_pl, objects = _VERBS[verbs[verb_i]]
        en_subject, fr_subject = _noun_phrase(animals[subject_i], subject_pl, colours[subject_colour])
        en_object, fr_object = _noun_phrase(objects[int(obj_u * len(objects))], object_pl, colours[object_colour])
        english.append(en_subject + [en_pl if subject_pl else en_sg] + en_object)
        french.append(fr_subject + [fr_pl if subject_pl else fr_sg] + fr_object)
    src_words = {"the"} | set(_COLOURS) | {w for v in list(_NOUNS.values()) + list(_VERBS.values()) for w in v[:2]}
    tgt_words = set(_ARTICLES.values()) | {w for forms in _COLOURS.values() for w in forms}
    tgt_words |= {w for v in list(_NOUNS.values()) + list(_VERBS.values()) for w in v[2:4]}
    src_vocab, tgt_vocab = _vocabulary(src_words), _vocabulary(tgt_words)
    pairs = [(" ".join(e), " ".join(f)) for e, f in zip(english, french)]
    return TranslationSet(_encode(english, src_vocab, SOURCE_LEN), _encode(french, tgt_vocab, TARGET_LEN, end=True),
                          src_vocab, tgt_vocab, pairs)


# --- 4. Marker order: many-to-one, where only long-range order decides the label -----------

@dataclasses.dataclass(frozen=True)
class MarkerSet:
    """Output of marker_order: N sequences of length T."""
    ids: np.ndarray        # (N, T) int64 token ids, all >= 3 (no PAD, START or END)
    labels: np.ndarray     # (N,) int64 1 if A comes before B, else 0
    vocab: list            # id -> name: "<pad>", "<s>", "</s>", "A", "B", then fillers "c", "d", ...
    positions: np.ndarray  # (N, 2) int64 positions of A and of B


MARKER_A, MARKER_B = 3, 4


def marker_order(n, seq_len, gap, vocab_size=10, seed=0, margin=4):
    """Random filler with two markers A and B at least `gap` steps apart: does A come first?

    Fillers are drawn uniformly from ids 5 .. vocab_size - 1, so they carry no information.
    The two marker positions (i, j), j - i >= gap, are drawn uniformly among all such pairs that
    keep `margin` filler tokens at each end; then A goes first (label 1) or B does (label 0),
    exactly balanced. A convolution of kernel k followed by global max pooling sees that both
    markers occur but, once gap >= k, never both in one window, so it cannot tell their order;
    a recurrent network can.

    Why the margin: the first marker sits early and the second late, so where A is tells the
    label. A convolution is blind to where a pattern is, except near the ends, where a marker
    fills fewer than k windows; with margin >= k - 1 (the default suits k <= 5) it is blind
    everywhere. With margin=0 a kernel-5 CNN reaches about 80% at seq_len 40, gap 20.

    Args:
        n: N, number of sequences.
        seq_len: T.
        gap: smallest distance between the markers, 1 <= gap < T - 2 * margin.
        vocab_size: V, ids in [0, V) of which 0, 1, 2 are reserved and never used; V >= 6.
        seed: seed of the random generator.
        margin: no marker among the first or the last `margin` tokens.

    Returns:
        MarkerSet with ids (N, T) int64, labels (N,) int64, vocab (V names),
        positions (N, 2) int64 (where A and B are).
    """
    span = seq_len - 2 * margin  # where the markers may go
    if margin < 0 or not 1 <= gap < span:
        raise ValueError(f"need margin >= 0 and 1 <= gap < seq_len - 2 * margin, got gap={gap}, margin={margin}")
    if vocab_size < 6:
        raise ValueError(f"vocab_size must be at least 6 (3 reserved, 2 markers, 1 filler), got {vocab_size}")
    rng = np.random.default_rng(seed)
    ids = rng.integers(MARKER_B + 1, vocab_size, size=(n, seq_len))
    distances = np.arange(gap, span, dtype=np.int64)
    weights = (span - distances) / (span - distances).sum()  # how many pairs lie at each distance
    distance = rng.choice(distances, size=n, p=weights)
    first = margin + (rng.random(n) * (span - distance)).astype(np.int64)
    second = first + distance
    labels = _balanced_labels(n, rng)
    a_pos = np.where(labels == 1, first, second)
    b_pos = np.where(labels == 1, second, first)
    rows = np.arange(n)
    ids[rows, a_pos] = MARKER_A
    ids[rows, b_pos] = MARKER_B
    fillers = [chr(ord("c") + k) if k < 24 else f"w{k}" for k in range(vocab_size - 5)]
    vocab = list(SPECIALS) + ["A", "B"] + fillers
    return MarkerSet(ids, labels, vocab, np.stack([a_pos, b_pos], axis=1))


# --- Session 4: a text to model character by character, and a seasonal time series ----------

# The opening of "Alice's Adventures in Wonderland" by Lewis Carroll (1865, public domain),
# typed for this project; see DATA.md.
ALICE = """Alice was beginning to get very tired of sitting by her sister on the bank, and of having
nothing to do: once or twice she had peeped into the book her sister was reading, but it had no
pictures or conversations in it, "and what is the use of a book," thought Alice "without pictures
or conversations?"
So she was considering in her own mind (as well as she could, for the hot day made her feel very
sleepy and stupid), whether the pleasure of making a daisy-chain would be worth the trouble of
getting up and picking the daisies, when suddenly a White Rabbit with pink eyes ran close by her.
There was nothing so very remarkable in that; nor did Alice think it so very much out of the way
to hear the Rabbit say to itself, "Oh dear! Oh dear! I shall be late!" (when she thought it over
afterwards, it occurred to her that she ought to have wondered at this, but at the time it all
seemed quite natural); but when the Rabbit actually took a watch out of its waistcoat-pocket, and
looked at it, and then hurried on, Alice started to her feet, for it flashed across her mind that
she had never before seen a rabbit with either a waistcoat-pocket, or a watch to take out of it,
and burning with curiosity, she ran across the field after it, and fortunately was just in time
to see it pop down a large rabbit-hole under the hedge.
In another moment down went Alice after it, never once considering how in the world she was to
get out again.
The rabbit-hole went straight on like a tunnel for some way, and then dipped suddenly down, so
suddenly that Alice had not a moment to think about stopping herself before she found herself
falling down a very deep well.
"""


@dataclasses.dataclass(frozen=True)
class CharacterText:
    """Output of character_text: a text as one sequence of character ids."""
    ids: np.ndarray  # (L,) int64 character ids
    vocab: list      # id -> character, sorted (no special tokens: every id is a character)


def character_text(text=ALICE, lowercase=True):
    """A text as character ids, for a character-level language model.

    Args:
        text: the text (default: ALICE, about 1,900 characters).
        lowercase: fold capitals, so that the vocabulary is smaller.

    Returns:
        CharacterText with ids (L,) int64 and vocab (the distinct characters, sorted).
    """
    text = " ".join(text.lower().split()) if lowercase else " ".join(text.split())
    vocab = sorted(set(text))
    index = {ch: i for i, ch in enumerate(vocab)}
    return CharacterText(np.array([index[ch] for ch in text], dtype=np.int64), vocab)


def character_windows(ids, length, stride=None):
    """Cut a long id sequence into (M, length) training windows, every `stride` characters.

    A language model reads window[:, :-1] and predicts window[:, 1:].
    """
    stride = stride or length
    starts = range(0, len(ids) - length + 1, stride)
    return np.stack([ids[start:start + length] for start in starts])


def seasonal_series(num_steps, period=24, seed=0, trend=0.001, noise=0.3):
    """A synthetic hourly series (think: temperature) with a daily cycle, a trend and AR(1) noise.

    y_t = 10 + trend * t + 3 sin(2 pi t / period) + 1.5 sin(4 pi t / period + 1) + e_t,
    e_t = 0.7 e_{t-1} + noise * n_t,   n_t ~ N(0, 1)

    Args:
        num_steps: T.
        period: the length of a season (24 hourly steps: a day).
        seed: seed of the random generator.
        trend: drift per step: the test part lies above the training part, as in real data.
        noise: scale of the innovations.

    Returns:
        (T,) float64 series.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(num_steps)
    errors = np.zeros(num_steps)
    innovations = noise * rng.standard_normal(num_steps)
    for step in range(1, num_steps):
        errors[step] = 0.7 * errors[step - 1] + innovations[step]
    season = 3 * np.sin(2 * np.pi * t / period) + 1.5 * np.sin(4 * np.pi * t / period + 1)
    return 10 + trend * t + season + errors


# ---------------------------------------------------------------------------
# Session 4: a real series

# Yearly mean sunspot numbers, 1700-2008 (the version 1 series of the National Geophysical Data
# Center, NOAA), public domain: copied once from statsmodels 0.15.0 (statsmodels.datasets.sunspots,
# column SUNACTIVITY). See DATA.md, card 7.
SUNSPOTS_FIRST_YEAR = 1700
SUNSPOTS = (
    5, 11, 16, 23, 36, 58, 29, 20, 10, 8, 3, 0, 0, 2, 11, 27, 47, 63, 60, 39, 28, 26, 22, 11, 21,
    40, 78, 122, 103, 73, 47, 35, 11, 5, 16, 34, 70, 81, 111, 101, 73, 40, 20, 16, 5, 11, 22, 40,
    60, 80.9, 83.4, 47.7, 47.8, 30.7, 12.2, 9.6, 10.2, 32.4, 47.6, 54, 62.9, 85.9, 61.2, 45.1,
    36.4, 20.9, 11.4, 37.8, 69.8, 106.1, 100.8, 81.6, 66.5, 34.8, 30.6, 7, 19.8, 92.5, 154.4,
    125.9, 84.8, 68.1, 38.5, 22.8, 10.2, 24.1, 82.9, 132, 130.9, 118.1, 89.9, 66.6, 60, 46.9, 41,
    21.3, 16, 6.4, 4.1, 6.8, 14.5, 34, 45, 43.1, 47.5, 42.2, 28.1, 10.1, 8.1, 2.5, 0, 1.4, 5, 12.2,
    13.9, 35.4, 45.8, 41.1, 30.1, 23.9, 15.6, 6.6, 4, 1.8, 8.5, 16.6, 36.3, 49.6, 64.2, 67, 70.9,
    47.8, 27.5, 8.5, 13.2, 56.9, 121.5, 138.3, 103.2, 85.7, 64.6, 36.7, 24.2, 10.7, 15, 40.1, 61.5,
    98.5, 124.7, 96.3, 66.6, 64.5, 54.1, 39, 20.6, 6.7, 4.3, 22.7, 54.8, 93.8, 95.8, 77.2, 59.1,
    44, 47, 30.5, 16.3, 7.3, 37.6, 74, 139, 111.2, 101.6, 66.2, 44.7, 17, 11.3, 12.4, 3.4, 6, 32.3,
    54.3, 59.7, 63.7, 63.5, 52.2, 25.4, 13.1, 6.8, 6.3, 7.1, 35.6, 73, 85.1, 78, 64, 41.8, 26.2,
    26.7, 12.1, 9.5, 2.7, 5, 24.4, 42, 63.5, 53.8, 62, 48.5, 43.9, 18.6, 5.7, 3.6, 1.4, 9.6, 47.4,
    57.1, 103.9, 80.6, 63.6, 37.6, 26.1, 14.2, 5.8, 16.7, 44.3, 63.9, 69, 77.8, 64.9, 35.7, 21.2,
    11.1, 5.7, 8.7, 36.1, 79.7, 114.4, 109.6, 88.8, 67.8, 47.5, 30.6, 16.3, 9.6, 33.2, 92.6, 151.6,
    136.3, 134.7, 83.9, 69.4, 31.5, 13.9, 4.4, 38, 141.7, 190.2, 184.8, 159, 112.3, 53.9, 37.6,
    27.9, 10.2, 15.1, 47, 93.8, 105.9, 105.5, 104.5, 66.6, 68.9, 38, 34.5, 15.5, 12.6, 27.5, 92.5,
    155.4, 154.6, 140.4, 115.9, 66.6, 45.9, 17.9, 13.4, 29.4, 100.2, 157.6, 142.6, 145.7, 94.3,
    54.6, 29.9, 17.5, 8.6, 21.5, 64.3, 93.3, 119.6, 111, 104, 63.7, 40.4, 29.8, 15.2, 7.5, 2.9,
)


def sunspots():
    """The yearly sunspot numbers, 1700-2008: a real series with a cycle of about 11 years.

    Returns:
        years: (309,) int64, 1700 .. 2008.
        values: (309,) float64, the yearly mean sunspot number (0 to 190.2).
    """
    values = np.array(SUNSPOTS, dtype=np.float64)
    return SUNSPOTS_FIRST_YEAR + np.arange(len(values)), values
