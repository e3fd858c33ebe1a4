"""rnnlab's tooling: release the exercises, grade submissions, report scores.

Four sub-packages, each a layer with plain data between them, and each allowed to import only
the layers below it (tests/test_layout.py holds this):

    release/    solutions/ -> student/ and the otter zips, proven while built     (uses grading)
    reports/    results -> results.json, gradebook.csv, terminal, item analysis   (uses grading)
    grading/    a submission -> per-test results: engine, checks, diagnosis        (uses isolation)
    isolation/  the trust boundary: every process that runs student code, and the code that starts,
                confines or talks to one; nothing else

Beside them, shared by all: `paths` (where things are), `contract` (the exercise API as data),
`course` (sessions and questions, from the master notebooks) and `reference` (the reference
solution, loaded in a trusted process). On top, thin entries: `cli` (the
`rnnlab` command) and `otter_plugin` (otter's hook into the same grading).
"""
