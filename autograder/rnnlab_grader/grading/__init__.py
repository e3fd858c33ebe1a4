"""Grading: a submission in, per-test results (plain dicts) out. This is where scores are decided.

    engine        submissions -> results: one pytest process per submission runs the hidden graders
    plugin        the pytest plugin those processes load: the `student` fixture, outcomes as JSON
    checks        one generic body per kind of check (values, gradients, untouched, Keras, training)
    diagnose      names a known mistake from what it would have given on the same input
    examples      the mutant corpus (realistic mistakes as patches) and example submissions
    mutants       the kill matrix: the corpus graded, and where each mutant lost
    dependencies  the reference's call graph: which graded functions a change can reach

May: compare data that came back from student code with the reference, and score it.
May not: run student code, or import the worker-side scripts of isolation/ (worker, zygote,
confine); it reaches a submission only through `isolation.StudentCode`, which returns plain data.
"""
