"""assert_close: numpy's assert_allclose that can name a common mistake when a test fails.

    assert_close(got, expected, known=[(feedback, wrong_value), ...], rtol=..., atol=...)

behaves exactly as `numpy.testing.assert_allclose(got, expected, rtol, atol)`. Only when that
comparison fails does it look at `known`: the values a few common mistakes give on the same
small case, worked out by hand in the test. If your `got` has the shape of one of them and is
close to it (with the same tolerances), the failure message ends with

    This looks like a known mistake. <feedback>

Otherwise the message only says what differs. A known mistake is a hint, not a verdict: two
different mistakes can give the same numbers on a small case, and then all of them are listed.
"""
import numpy as np
from numpy.testing import assert_allclose


def assert_close(got, expected, known=(), rtol=1e-7, atol=0, err_msg="", **kwargs):
    """numpy.testing.assert_allclose(got, expected, ...), naming the known mistakes `got` matches.

    Args:
        got: your result.
        expected: the right result.
        known: (feedback, wrong_value) pairs: what a known mistake gives on this case, and the
            words that explain it.
        rtol, atol, err_msg, **kwargs: as for numpy.testing.assert_allclose.
    """
    __tracebackhide__ = True  # pytest: report the failure at the test's line, not in here
    try:
        assert_allclose(got, expected, rtol=rtol, atol=atol, err_msg=err_msg, **kwargs)
    except AssertionError as failure:
        named = list(dict.fromkeys(feedback for feedback, wrong in known
                                   if looks_like(got, wrong, rtol, atol)))
        if not named:
            raise
        raise AssertionError(f"{failure}\n{_explain(named)}") from None


def assert_unlike(got, wrong, feedback, what):
    """Fail, naming the mistake, when `got` is what a known mistake gives (`wrong`): for a property
    a right answer has whatever its value (it depends on an input the mistake ignores).

    Args:
        got: your result.
        wrong: what the mistake gives on this case.
        feedback: the words that explain the mistake.
        what: one line saying what a right answer does here.
    """
    __tracebackhide__ = True
    if looks_like(got, wrong):
        raise AssertionError(f"{what}\n{_explain([feedback])}")


def looks_like(got, wrong, rtol=1e-7, atol=0):
    """Whether got has the shape of wrong and is close to it (NaN matching NaN)."""
    try:
        got, wrong = np.asarray(got), np.asarray(wrong)
        return got.shape == wrong.shape and bool(np.allclose(got, wrong, rtol=rtol, atol=atol,
                                                             equal_nan=True))
    except (TypeError, ValueError):  # not numbers at all
        return False


def _explain(feedbacks):
    if len(feedbacks) == 1:
        return f"This looks like a known mistake. {feedbacks[0]}"
    return "This looks like one of these known mistakes:\n" + "\n".join(f"- {text}" for text in feedbacks)
