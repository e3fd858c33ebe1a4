"""A process that imports Keras once per batch and forks each submission's Keras worker from then on.

Run as `python -I -S zygote.py SITE_PACKAGES LISTENER_FD MODULE...` (see sandbox.Zygote), in the mount
namespace a worker would have, from a folder that also holds worker.py and confine.py: like them it
is self-contained, because the grading package is not reachable from here.

A grading process asks for a worker over the listening socket: one JSON line with the worker's
folder, user, niceness and environment, sent with the two pipe ends that become the worker's stdin
and stdout. The zygote forks; the child takes the sandbox's steps (confine.py) and serves the grader
(worker.main) with the MODULEs (keras: TensorFlow) already imported, in ~0.3 s instead of 3-4 s. On the same connection
the zygote answers `{"pid": N}`, and `{"exit": CODE}` once the worker has ended (negative: killed
by that signal), as Popen's returncode would. It reaps the worker when the grader closes the
connection, and kills it first if it still runs: until then its pid cannot be reused.

The zygote never runs student code and never builds a model: forking is safe only while it has a
single thread. It ends when its standard input closes (the batch is over).
"""
import json
import os
import selectors
import signal
import socket
import struct
import sys

if __name__ == "__main__":
    sys.path[:0] = [os.path.dirname(os.path.abspath(__file__))]  # worker.py and confine.py
    sys.path.append(sys.argv[1])

import confine  # noqa: E402
import worker  # noqa: E402

MAX_REQUEST_BYTES = 2**16


class _Child:
    def __init__(self, connection):
        self.connection = connection  # None once the grader is done with the worker
        self.reported = False


def _receive_request(connection):
    """The request's JSON and its two file descriptors, from a process of the zygote's own user."""
    connection.settimeout(10)
    _, uid, _ = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
    if uid != os.geteuid():
        raise PermissionError(f"a request from uid {uid}")
    data, fds, _, _ = socket.recv_fds(connection, MAX_REQUEST_BYTES, 2)
    if len(fds) != 2 or not data.endswith(b"\n"):
        for fd in fds:
            os.close(fd)
        raise ValueError("a request without its two pipe ends")
    return json.loads(data), fds


def _become_worker(request, fds):
    """In the forked child: take the sandbox's steps, then serve the grader. Never returns."""
    try:
        signal.set_wakeup_fd(-1)  # else a signal would write into whatever file now has its number
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()
        confine.join_group(request.get("control_group", []))
        try:  # the grading process's niceness, not the batch's (nice only goes up unless root)
            os.setpriority(os.PRIO_PROCESS, 0, request["niceness"])
        except OSError:
            pass
        confine.keep_niceness()
        os.chdir(request["workdir"])
        os.dup2(fds[0], 0)
        os.dup2(fds[1], 1)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
        os.closerange(3, 2**16)  # the listener and other graders' connections: no way back here
        os.environ.clear()
        os.environ.update(request["env"])
        if request.get("user_namespace"):
            confine.enter_user_namespace()
        if request.get("file_system"):
            confine.enter_pid_namespace()
            confine.enter_root(**request["file_system"])
        confine.limit(request["user"])
        worker.main(request["workdir"])
    except BaseException:
        os._exit(127)
    os._exit(0)


def _exit_code(info):
    return info.si_status if info.si_code == os.CLD_EXITED else -info.si_status


def serve(listener):
    selector = selectors.DefaultSelector()
    wake_up, wake_up_writer = os.pipe()
    os.set_blocking(wake_up_writer, False)
    signal.set_wakeup_fd(wake_up_writer)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)  # a handler, so that it wakes us up
    selector.register(listener, selectors.EVENT_READ)
    selector.register(wake_up, selectors.EVENT_READ)
    selector.register(sys.stdin, selectors.EVENT_READ)
    children = {}  # pid -> _Child

    def sweep():
        """Report the workers that ended; reap those the graders are done with."""
        for pid, child in list(children.items()):
            if child.connection is None:
                if os.waitpid(pid, os.WNOHANG)[0]:
                    del children[pid]
            elif not child.reported:
                info = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
                if info:
                    child.reported = True
                    _send(child.connection, {"exit": _exit_code(info)})

    while True:
        for key, _ in selector.select():
            if key.fileobj is sys.stdin:
                return
            if key.fileobj is wake_up:
                os.read(wake_up, 4096)
            elif key.fileobj is listener:
                connection, _ = listener.accept()
                try:
                    request, fds = _receive_request(connection)
                except (OSError, ValueError):
                    connection.close()
                    continue
                pid = os.fork()
                if pid == 0:
                    _become_worker(request, fds)
                for fd in fds:
                    os.close(fd)
                children[pid] = _Child(connection)
                selector.register(connection, selectors.EVENT_READ, pid)
                _send(connection, {"pid": pid})
            else:  # a grader closed its connection (or sent something it should not): done with it
                pid, connection = key.data, key.fileobj
                selector.unregister(connection)
                connection.close()
                children[pid].connection = None
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
            sweep()


def _send(connection, message):
    try:
        connection.sendall(json.dumps(message).encode() + b"\n")
    except OSError:  # the grader is gone: its connection's end comes through the selector
        pass


if __name__ == "__main__":
    listener = socket.socket(fileno=int(sys.argv[2]))
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    worker.import_early(sys.argv[3:])  # the point of it all: once, here
    serve(listener)
