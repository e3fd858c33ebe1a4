"""rnnlab's tooling: release the exercises, grade submissions, report scores.

The layers, each usable alone, with plain data between them:
    release   solutions/ -> student/ (stubs, public tests, notebooks), proven while built
    engine    submission folders/zips -> per-test results (dicts), one process each
    report    results -> Gradescope results.json per submission, gradebook.csv, terminal table
    cli       the `rnnlab` command, a thin shell over the three

Grading itself: graders/ (hidden pytest files, run by the `plugin`), which call student
code only through `proxy.StudentCode` and a worker process (`worker.py`).
"""
