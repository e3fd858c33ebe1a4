"""Building the student release from the one source of truth, and proving it.

`build` turns solutions/ and assignments/ into student/ (stubs, public tests, notebooks) and
`otter_assign` writes the otter autograder zips. A release is proven with the grading engine
(reference full marks, stubs zero, nothing hidden in student/).

May: read the instructors' sources, write student/ and autograder/dist/, call the grading engine.
May not: run student code itself, or decide a score (the proofs ask grading for them).
"""
