"""Inputs are never modified in place: the grader's arrays are as it passed them after the call.

Not charged once (checks.charged_once): a delegated helper runs in the grader and returns new
arrays, so it would hide the graded function's own writes through the views it got back (a
training part scaled in place, say). A helper that writes into its inputs in place costs the
untouched tests of the functions that pass it the caller's arrays too.
"""
from conftest import graded
from rnnlab_grader.checks import check_untouched
from tables import UNTOUCHED


@graded(UNTOUCHED, "inputs untouched")
def test_untouched(student, case):
    check_untouched(student, case)
