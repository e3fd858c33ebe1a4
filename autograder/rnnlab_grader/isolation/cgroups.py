"""One control group per grading: bounds that hold for a submission's processes as a whole.

The per-process limits (confine.limit) bound each worker, not what a submission holds together: a
worker may fork, and each child gets the same allowance. A grading's workers therefore join one
control group (confine.join_group), made and ended by the engine, where the system lets us make one
(as root, or as an ordinary user in a cgroup v2 subtree delegated to them, as systemd does with
`systemd-run --user --scope -p Delegate=yes`):

    cgroup v2                 memory.max, pids.max, cpu.weight; cgroup.kill ends it
    cgroup v1 (this machine)  memory.limit_in_bytes, pids.max, cpu.shares, one folder per controller;
                              a v2 hierarchy beside them (hybrid) still gives cgroup.kill

A controller the system does not offer (or lets us use) is skipped; where no hierarchy is writable
(no root, a read-only /sys/fs/cgroup), `ControlGroup.create` returns None and the per-process limits
are all there is: `describe()` says which case holds. The CPU share follows the grader's niceness,
which a new session cannot undo inside a control group (Linux's autogroups apply to the root group
only). Zombies are not in a group: a group whose processes are dead can be removed.
"""
import errno
import os
import signal
import time
from pathlib import Path

# All of a submission's workers together. Forked from a batch's zygotes, they hold ~120 MiB of their
# own (the reference, measured); started afresh, Keras's worker and the rebuilder hold ~0.6 GiB each.
MEMORY_BYTES = 3 * 2**30
MAX_TASKS = 2048          # processes and threads: TensorFlow starts tens per worker
CONTROLLERS = ("memory", "pids", "cpu")
GRADER_LEAF = "rnnlab-grader"  # where the grader's processes go, in a v2 cgroup delegated to it
_LABELS = {"memory": "memory {0:.0f} MiB", "pids": "{0} tasks", "cpu": "CPU weight {0}"}


def _limits(version, niceness):
    """controller -> (file, value) of the limits in a hierarchy of `version`. The CPU weight is the
    kernel's for the niceness (1024 at 0, /1.25 a step), on v2's scale of 100."""
    weight = max(2, round(1024 / 1.25 ** niceness))
    if version == 1:
        return {"memory": ("memory.limit_in_bytes", MEMORY_BYTES), "pids": ("pids.max", MAX_TASKS),
                "cpu": ("cpu.shares", weight)}
    return {"memory": ("memory.max", MEMORY_BYTES), "pids": ("pids.max", MAX_TASKS),
            "cpu": ("cpu.weight", max(1, min(10000, round(weight * 100 / 1024))))}


def _handed_down(parent, controllers):
    """The v2 controllers among CONTROLLERS that `parent` hands down to its children (asking it to).
    A cgroup with processes of its own cannot hand any down (v2's "no internal processes" rule, the
    root excepted): the grader's own, where it was given one (systemd's Delegate=yes), so they move
    into a leaf of their own first, as systemd asks of a delegated subtree's owner."""
    wanted = [c for c in CONTROLLERS if c in controllers]
    for _ in range(3):  # a process forked meanwhile lands in `parent` again: move once more
        try:
            if wanted:
                (parent / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in wanted))
            return wanted
        except OSError as error:
            if error.errno != errno.EBUSY or not _into_leaf(parent):
                return []
    return []


def _into_leaf(parent):
    """Move the processes of `parent` into its child GRADER_LEAF; whether all went. Only where they
    are all the grader's own (itself and what it started): a cgroup that also holds others' (a
    container's, a login session's: the grader runs as root there, say) is not the grader's to
    rearrange, and hands nothing down."""
    leaf = parent / GRADER_LEAF
    try:
        pids = (parent / "cgroup.procs").read_text().split()
        if not all(_is_own(int(pid)) for pid in pids):
            return False
        leaf.mkdir(exist_ok=True)
        for pid in pids:
            try:
                (leaf / "cgroup.procs").write_text(pid)
            except ProcessLookupError:  # ended meanwhile
                pass
    except OSError:  # not ours to move (another user's process, a cgroup we may not write)
        return False
    return True


def _is_own(pid):
    """Whether `pid` is this process or a descendant of it (a process gone meanwhile counts as one)."""
    while pid > 1:
        if pid == os.getpid():
            return True
        try:  # the parent's pid is the second field after the command's name, which may hold spaces
            pid = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            return True
    return False


def _hierarchies():
    """[(folder of this process's own cgroup in that hierarchy, its controllers, version)] for each
    mounted cgroup hierarchy, v1 controllers among CONTROLLERS and v2."""
    own = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        own[controllers] = path
    found = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        separator = fields.index("-")
        fstype, options = fields[separator + 1], fields[separator + 3].split(",")
        root, mountpoint = fields[3], fields[4]
        if fstype == "cgroup2":
            path, controllers, version = own.get(""), None, 2
        elif fstype == "cgroup":  # /proc/self/cgroup names a v1 hierarchy by its controllers
            controllers = [c for c in CONTROLLERS if c in options]
            key = next((k for k in own if k and set(k.split(",")) <= set(options)), None)
            if key is None or not controllers:
                continue
            path, version = own[key], 1
        else:
            continue
        if path is None or not (path + "/").startswith(root.rstrip("/") + "/"):
            continue  # a mount of another part of the hierarchy
        folder = Path(mountpoint) / os.path.relpath(path, root)
        if version == 2:
            if folder.name == GRADER_LEAF:  # moved there by an earlier grading (_into_leaf)
                folder = folder.parent
            controllers = (folder / "cgroup.controllers").read_text().split() if folder.is_dir() else []
        found.append((folder, controllers, version))
    return found


class ControlGroup:
    """A grading's control group: one folder per hierarchy used, made by `create`."""

    def __init__(self, folders, limits):
        self.folders = folders  # [(folder, version)]
        self.limits = limits    # what holds, for describe()

    @classmethod
    def create(cls, name, niceness=None):
        """A new group `name` under this process's own, in each hierarchy, with the limits set; None
        if the system lets us make none."""
        niceness = os.nice(0) if niceness is None else niceness
        folders, limits = [], []
        for parent, controllers, version in _hierarchies():
            if version == 2:
                controllers = _handed_down(parent, controllers)
            folder = parent / name
            try:
                folder.mkdir()
            except OSError:
                continue
            for controller, (file, value) in _limits(version, niceness).items():
                if controller in controllers:
                    try:
                        (folder / file).write_text(str(value))
                        limits.append(_LABELS[controller].format(value / 2**20 if controller == "memory" else value))
                    except OSError:
                        pass
            folders.append((folder, version))
        return cls(folders, limits) if folders else None

    def procs_files(self):
        """The files a worker writes its pid to, to join (confine.join_group)."""
        return [str(folder / "cgroup.procs") for folder, _ in self.folders]

    def pids(self):
        found = set()
        for folder, _ in self.folders:
            try:
                found |= {int(p) for p in (folder / "cgroup.procs").read_text().split()}
            except OSError:
                pass
        return found

    def peak_memory_bytes(self):
        """The most memory the group's processes held at once, if the system says."""
        for folder, _ in self.folders:
            for name in ("memory.max_usage_in_bytes", "memory.peak"):
                try:
                    return int((folder / name).read_text())
                except (OSError, ValueError):
                    pass
        return None

    def kill(self, patience_s=10):
        """Kill every process in the group: cgroup.kill where there is one, else each pid until none
        is left (a pids limit of 0 first, so that none can fork meanwhile)."""
        for folder, _ in self.folders:
            if (folder / "cgroup.kill").exists():
                try:
                    (folder / "cgroup.kill").write_text("1")
                except OSError:
                    pass
            elif (folder / "pids.max").exists():
                try:
                    (folder / "pids.max").write_text("0")
                except OSError:
                    pass
        deadline = time.monotonic() + patience_s
        while (left := self.pids()) and time.monotonic() < deadline:
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.02)
        return not self.pids()

    def remove(self):
        """Kill what is left and remove the group's folders."""
        self.kill()
        for folder, _ in self.folders:
            for _ in range(50):  # a killed process leaves its group as the kernel gets to it
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)


def describe(group):
    """What bounds a submission as a whole, in words (for the terminal and the claims in docs/threat-model.md)."""
    if group is None:
        return "no control group (per-process limits only)"
    versions = "+".join(sorted({f"v{version}" for _, version in group.folders}))
    return f"cgroup {versions}, killed as a whole at the end; " + (", ".join(group.limits) or "no limits")
