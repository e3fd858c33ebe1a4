"""Grading as an ordinary user, as a teaching assistant does on a department server or a laptop:
their own clone, their own uid, no root. Student code is kept apart through user namespaces
(sandbox.user_namespaces); where the system refuses those, `rnnlab grade` refuses to run it, unless
told --unsandboxed.

The suite runs as root (CI does): each test drops to a uid that has no rights on this repository,
with a copy of the repository of its own and a home folder with a private note in it.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import ordinary_user
from rnnlab_grader.isolation import cgroups, confine
from rnnlab_grader.paths import SOLUTIONS, STUDENT

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="drops to another uid: run as root (CI does)")

TA = ordinary_user.UID  # a uid of no account: no rights on anything of the repository's


# Reads what the TA can read (their clone's reference and graders, their home) and connects to a server
# the TA runs on loopback, then raises what it got as its error message: the feedback echoes it.
READ_AND_ECHO = """
def _probe():
    import os, socket
    found = []
    for label, path in {paths!r}.items():
        try:
            found.append(f"{{label}}: READ {{open(path).read()[:20]!r}}")
        except OSError as error:
            found.append(f"{{label}}: {{type(error).__name__}}")
    try:
        socket.create_connection(("127.0.0.1", {port}), timeout=2).close()
        found.append("CONNECTED")
    except OSError as error:
        found.append(f"connect: {{type(error).__name__}}")
    found.append(f"uid {{os.getuid()}}, pid {{os.getpid()}}")
    found += [line.replace("\\t", " ") for line in open("/proc/self/status").read().splitlines() if line.startswith("CapEff")]
    raise RuntimeError("PROBE " + " | ".join(found))
"""
STEP = "    h_next = np.tanh(x @ Wx + h_prev @ Wh + b)"  # the first line of rnn_step_forward's body


@pytest.fixture(scope="module")
def ta(tmp_path_factory):
    """The TA's folder: a copy of the repository's grading parts, a home with a note, submissions."""
    root = tmp_path_factory.mktemp("ta")
    ordinary_user.clone(root / "repo")
    (root / "home").mkdir()
    (root / "home" / "notes.txt").write_text("private: the TA's own note")
    ordinary_user.hand_over(root, TA)
    os.chmod(root / "home", 0o700)
    return root


def submission(ta, name, package, edit=None):
    folder = ta / "submissions" / name
    shutil.copytree(package, folder / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
    if edit:
        edit(folder / "rnnlab")
    for path in [folder.parent, folder, *folder.rglob("*")]:
        os.chown(path, TA, TA, follow_symlinks=False)
    return folder


def as_ta(ta, args, cgroup=None, python=("-m", "rnnlab_grader.cli")):
    """`rnnlab ARGS` as the TA, from their clone, with the suite's Python (which anyone may run);
    started in `cgroup` (a folder of cgroup v2) if given."""
    env = {"PATH": os.environ["PATH"], "HOME": str(ta / "home"), "PYTHONPATH": str(ta / "repo" / "autograder")}
    command = ["setpriv", f"--reuid={TA}", f"--regid={TA}", "--clear-groups", sys.executable, *python, *args]
    if cgroup:
        command = ["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec "$@"', str(cgroup), *command]
    return subprocess.run(command, cwd=ta / "repo", env=env, capture_output=True, text=True, timeout=900)


def failure(run):
    """What a failed run as the TA printed, and, where it was refused a file, the modes on the way to
    the suite's Python and the cgroup the suite runs in (what differs between machines)."""
    text = run.stderr[-3000:]
    if "Permission denied" in text:
        way = subprocess.run(["namei", "-l", sys.executable], capture_output=True, text=True).stdout
        text += f"\n{way}\nthe suite's cgroup: {Path('/proc/self/cgroup').read_text()}"
    return text


@pytest.fixture(scope="module")
def loopback_server():
    """A server the grader's side runs on 127.0.0.1, as a TA's notebook server would be."""
    server = socket.create_server(("127.0.0.1", 0))
    threading.Thread(target=lambda: [server.accept()[0].close() for _ in iter(int, 1)], daemon=True).start()
    yield server.getsockname()[1]
    server.close()


@pytest.fixture(scope="module")
def graded(ta, loopback_server):
    probe = READ_AND_ECHO.format(port=loopback_server, paths={
        "reference": str(ta / "repo" / "solutions" / "rnnlab" / "layers.py"),
        "graders": str(ta / "repo" / "autograder" / "graders" / "tables.py"),
        "home": str(ta / "home" / "notes.txt"),
        "other": str(ta / "submissions" / "reference" / "rnnlab" / "rnn.py"), "system": "/etc/hostname"})

    def reader(package):
        path = package / "rnn.py"
        path.write_text(path.read_text().replace(STEP, "    _probe()\n" + STEP, 1) + probe)
    submissions = [submission(ta, "reference", SOLUTIONS / "rnnlab"), submission(ta, "stubs", STUDENT / "rnnlab"),
                   submission(ta, "reader", SOLUTIONS / "rnnlab", reader)]
    run = as_ta(ta, ["grade", *map(str, submissions), "--out", str(ta / "out"), "-j", "2"])
    assert run.returncode == 0, failure(run)
    results = {path.stem: json.loads(path.read_text()) for path in (ta / "out").glob("*.json")}
    return run, results


def test_an_ordinary_user_grades_in_user_namespaces(graded):
    run, results = graded
    assert "isolation: full (user namespace)" in " ".join(run.stderr.split())
    assert results["reference"]["score"] == sum(t["max_score"] for t in results["reference"]["tests"]) > 0
    assert results["stubs"]["score"] == 0


def test_student_code_sees_nothing_of_the_user_and_reaches_no_network(graded):
    _, results = graded
    (feedback,) = {t["output"] for t in results["reader"]["tests"] if t["name"].startswith("rnn_step_forward: values (float64 N=3")}
    probe = feedback.split("PROBE ", 1)[1]
    # The TA's clone, home and the other submissions are not there; the system's files are.
    for label in ("reference", "graders", "home", "other"):
        assert f"{label}: FileNotFoundError" in probe, probe
    assert "system: READ" in probe, probe
    assert "connect: " in probe and "CONNECTED" not in probe
    assert f"uid {confine.NAMESPACE_ID}, pid 1" in probe  # a uid of its own, alone in its PID namespace
    assert "CapEff: 0000000000000000" in probe  # and none of the capabilities its namespace gave


# Enters a user namespace, waits for the test to map root and the TA's uid into it, sets the
# namespace's limit on further user namespaces to 0, and runs the rest of its arguments.
WITHOUT_USER_NAMESPACES = """
import ctypes, os, sys
ready, go = int(sys.argv[1]), int(sys.argv[2])
assert ctypes.CDLL(None, use_errno=True).unshare(0x10000000) == 0  # CLONE_NEWUSER
os.write(ready, b"u")
os.read(go, 1)
with open("/proc/sys/user/max_user_namespaces", "w") as limit:
    limit.write("0")
os.execvp(sys.argv[3], sys.argv[3:])
"""


def in_a_system_without_user_namespaces(ta, args):
    """`rnnlab ARGS` as the TA where user namespaces are refused, as some systems do: in a user
    namespace (root and the TA's uid mapped to themselves) whose limit on user namespaces is 0."""
    ready, go = os.pipe(), os.pipe()
    env = {"PATH": os.environ["PATH"], "HOME": str(ta / "home"), "PYTHONPATH": str(ta / "repo" / "autograder")}
    command = ["setpriv", f"--reuid={TA}", f"--regid={TA}", "--clear-groups", sys.executable, "-m",
               "rnnlab_grader.cli", *args]
    child = subprocess.Popen([sys.executable, "-c", WITHOUT_USER_NAMESPACES, str(ready[1]), str(go[0]), *command],
                             pass_fds=(ready[1], go[0]), cwd=ta / "repo", env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    os.close(ready[1])
    os.close(go[0])
    assert os.read(ready[0], 1) == b"u"
    for name, ids in (("uid_map", f"0 0 1\n{TA} {TA} 1\n"), ("gid_map", f"0 0 1\n{TA} {TA} 1\n")):
        Path(f"/proc/{child.pid}/{name}").write_text(ids)
    os.write(go[1], b"g")
    os.close(go[1])
    os.close(ready[0])
    stdout, stderr = child.communicate(timeout=600)
    return subprocess.CompletedProcess(child.args, child.returncode, stdout, stderr)


def test_where_user_namespaces_are_refused_grading_is_refused_unless_told(ta):
    stubs = submission(ta, "refused_stubs", STUDENT / "rnnlab")
    refused = in_a_system_without_user_namespaces(ta, ["grade", str(stubs), "--out", str(ta / "refused")])
    assert refused.returncode == 2, failure(refused)
    assert "refuses to run student code" in " ".join(refused.stderr.split())
    assert not (ta / "refused").exists()
    allowed = in_a_system_without_user_namespaces(ta, ["grade", str(stubs), "--out", str(ta / "allowed"),
                                                       "--unsandboxed"])
    assert allowed.returncode == 0, failure(allowed)
    assert "WARNING: isolation: none" in " ".join(allowed.stderr.split())


def cgroup_v2_root():
    """The root folder of this machine's cgroup v2 hierarchy (pure, or beside v1's as here), if any."""
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        if fields[fields.index("-") + 1] == "cgroup2" and fields[3] == "/":
            return Path(fields[4])
    return None


@pytest.fixture
def delegated():
    """A cgroup v2 folder delegated to the TA, as systemd gives one (`systemd-run --user --scope -p
    Delegate=yes`): the folder and its cgroup.procs, cgroup.subtree_control and cgroup.threads are theirs.
    Its parent hands down the controllers it can, so that the folder has some to hand on (on this
    machine's hybrid hierarchy only hugetlb: memory and pids are v1's)."""
    root = cgroup_v2_root()
    if root is None or not os.access(root / "cgroup.subtree_control", os.W_OK):
        pytest.skip("no writable cgroup v2 hierarchy")
    enabled = set((root / "cgroup.subtree_control").read_text().split())
    offered = []
    for controller in (root / "cgroup.controllers").read_text().split():
        try:
            (root / "cgroup.subtree_control").write_text(f"+{controller}")
            offered.append(controller)
        except OSError:  # a container's cgroup holding processes cannot (v2): the folder offers fewer
            pass
    folder = root / f"rnnlab-test-{os.getpid()}"
    folder.mkdir()
    for path in (folder, *(folder / name for name in ("cgroup.procs", "cgroup.subtree_control", "cgroup.threads"))):
        os.chown(path, TA, TA)
    yield folder
    # Whatever the test left, killed and removed as a grading's group is, the deepest folders first.
    left = sorted((path for path in folder.rglob("*") if path.is_dir()), key=lambda path: -len(path.parts))
    cgroups.ControlGroup([(group, 2) for group in [*left, folder]], []).remove()
    for controller in set(offered) - enabled:
        (root / "cgroup.subtree_control").write_text(f"-{controller}")


# As the TA, in the delegated folder: two gradings' groups, a process joined to the first, which is
# then killed and removed. On this machine none of cgroups.CONTROLLERS is v2's, so the one the
# folder offers stands in for them: handing it down needs the grader out of the folder first.
DELEGATION = """
import json, subprocess, sys
from pathlib import Path
from rnnlab_grader.isolation import cgroups, confine
offered = (Path(sys.argv[1]) / "cgroup.controllers").read_text().split()
if not set(offered) & set(cgroups.CONTROLLERS):
    cgroups.CONTROLLERS += tuple(offered[:1])
first, second = cgroups.ControlGroup.create("grading-1"), cgroups.ControlGroup.create("grading-2")
child = subprocess.Popen(["sleep", "60"], preexec_fn=lambda: confine.join_group(first.procs_files()))
joined = child.pid in first.pids()
first.remove()
print(json.dumps({"folders": [str(f) for f, v in first.folders + second.folders if v == 2],
                  "handed_down": (Path(sys.argv[1]) / "cgroup.subtree_control").read_text().split(),
                  "own": open("/proc/self/cgroup").read().splitlines()[-1], "joined": joined,
                  "killed": child.wait(timeout=10) == -9, "removed": not Path(first.folders[0][0]).exists()}))
second.remove()
"""


def test_in_a_delegated_cgroup_v2_an_ordinary_user_gets_control_groups(ta, delegated):
    # A whole grading, started in the folder as systemd starts a scope's command: its group made,
    # joined by the workers, ended and removed.
    stubs = submission(ta, "delegated_stubs", STUDENT / "rnnlab")
    run = as_ta(ta, ["grade", str(stubs), "--out", str(ta / "delegated")], cgroup=delegated)
    assert run.returncode == 0, failure(run)
    assert "each submission's workers: cgroup v2, killed as a whole at the end" in " ".join(run.stderr.split())
    assert not [path for path in delegated.iterdir() if path.is_dir()]
    # The steps one by one, in a folder with a controller to hand down.
    offered = (delegated / "cgroup.controllers").read_text().split()
    run = as_ta(ta, [str(delegated)], cgroup=delegated, python=("-c", DELEGATION))
    assert run.returncode == 0, failure(run)
    found = json.loads(run.stdout)
    assert found["folders"] == [str(delegated / "grading-1"), str(delegated / "grading-2")]
    assert found["joined"] and found["killed"] and found["removed"]
    if offered:  # the grader moved into a leaf, so that the folder could hand its controllers down
        assert found["own"].endswith(f"/{delegated.name}/rnnlab-grader"), found["own"]
        assert found["handed_down"] == offered[:1] or set(found["handed_down"]) & {"memory", "pids", "cpu"}


def test_a_cgroup_holding_processes_not_the_graders_is_left_as_it_is(ta, delegated):
    # A process the grader did not start (as a container's or a login session's are) shares the
    # folder: the grader moves nothing, so the folder hands nothing down; its groups are still made.
    other = subprocess.Popen(["sh", "-c", 'echo $$ > "$0/cgroup.procs" && exec sleep 60', str(delegated)])
    try:
        for _ in range(100):
            if str(other.pid) in (delegated / "cgroup.procs").read_text().split():
                break
            time.sleep(0.01)
        run = as_ta(ta, [str(delegated)], cgroup=delegated, python=("-c", DELEGATION))
        assert run.returncode == 0, failure(run)
        found = json.loads(run.stdout)
        assert found["handed_down"] == [] and not found["own"].endswith("/rnnlab-grader"), found
        assert found["joined"] and found["killed"] and found["removed"]
        assert str(other.pid) in (delegated / "cgroup.procs").read_text().split()
        assert not (delegated / "rnnlab-grader").exists()
    finally:
        other.kill()
        other.wait()
