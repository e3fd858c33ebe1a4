"""Isolation: the trust boundary. Everything that starts, confines or talks to a process running
student code is here, and nothing else: a reviewer of the sandbox reads exactly this folder.

Grader side (imported by grading/):
    proxy    `StudentCode`: call a submission's functions in worker processes, get plain data back
    sandbox  `Sandbox` starts one worker confined; `Zygote` forks a batch's Keras workers
    cgroups  `ControlGroup`: one per grading, bounds its workers together (memory, tasks, CPU share)

Worker side (run as scripts with `python -I -S`, where this package is not importable; each imports
only the standard library, numpy, and the other two):
    worker   imports the submission and answers calls, one plain-data frame each; as the
             rebuilder, loads no submission and rebuilds the Keras models workers describe
    zygote   imports Keras once and forks workers
    confine  the steps that confine a process: session, control group, niceness, mount namespace,
             limits, user

May: start, confine, signal and kill processes; copy a submission's files for a worker; run the
reference for a worker's callbacks (lent functions, in this trusted process).
May not: decide a score, or judge a result: data goes back to grading/ unjudged.
Outside this package, nothing imports the worker-side scripts directly: grading/ uses what is
exported here.
"""
from .proxy import CALL_TIMEOUT_S, StudentCode, StudentError, TooSlow
from .cgroups import ControlGroup, describe as describe_control_group
from .sandbox import ONE_THREAD, Sandbox, Zygote, isolation, kill_processes_of, use_control_group, worker_uids
from .worker import STEPS, Handle, Step

__all__ = ["CALL_TIMEOUT_S", "ONE_THREAD", "STEPS", "ControlGroup", "Handle", "Sandbox", "Step", "StudentCode", "StudentError",
           "TooSlow", "Zygote", "describe_control_group", "isolation", "kill_processes_of", "use_control_group", "worker_uids"]
