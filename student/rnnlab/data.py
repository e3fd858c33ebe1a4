"""Small generated data sets for the notebooks: nothing is downloaded."""
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


def recall_token(num_sequences, seq_len, vocab_size, lag, seed=0):
    """A many-to-one task whose difficulty grows with `lag`: name the token seen `lag` steps before the end.

    The answer is ids[:, T - 1 - lag]; every later token is a distractor, so a model
    must carry one token through `lag` updates of its state.

    Args:
        num_sequences: N.
        seq_len: T (must exceed lag).
        vocab_size: V.
        lag: 0 asks for the last token, T - 1 for the first.
        seed: seed of the random generator.

    Returns:
        ids: (N, T) int64 tokens.
        targets: (N,) int64 labels.
    """
    if not 0 <= lag < seq_len:
        raise ValueError(f"lag must be in [0, {seq_len}), got {lag}")
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, vocab_size, size=(num_sequences, seq_len))
    return ids, ids[:, seq_len - 1 - lag].copy()
