"""Linux without a sandbox: a tiny parent that outlives the runner, so that nothing the user's code started
outlives the kernel, even when the runner itself crashes (a segfault, the OOM killer).

Part of Radarm's Python kernel. Python 3.8+, standard library only. runner.py calls supervise() first thing, before
it reads stdin or imports pandas. The process forks: the child returns and becomes the runner; the parent marks
itself a child subreaper (orphans of the code's processes — a double fork, setsid — are re-parented to it, not to
init), passes SIGINT on to the runner, waits for it to end, kills every descendant left, and ends the way the
runner ended (same exit code, or the same signal), so that the host reports a crash as before.
"""
import os
import signal
import sys


def _prctl_subreaper():
    try:
        import ctypes
        return ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER
    except Exception:
        return False


def kill_descendants(root):
    """Every process below `root` (read from /proc), frozen first so that none can fork out of reach."""
    children = {}
    try:
        names = os.listdir("/proc")
    except OSError:
        return
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open("/proc/{}/stat".format(name)) as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(name))
    found, todo = [], [root]
    while todo:
        for pid in children.get(todo.pop(), ()):
            found.append(pid)
            todo.append(pid)
    for sig in (signal.SIGSTOP, signal.SIGKILL):
        for pid in found:
            try:
                os.kill(pid, sig)
            except OSError:
                pass


def supervise():
    """Returns in the runner process; never returns in the supervisor. Returns at once where it does not apply."""
    if not sys.platform.startswith("linux") or not _prctl_subreaper():
        return False
    child = os.fork()
    if child == 0:
        return True
    signal.signal(signal.SIGINT, lambda signum, frame: os.kill(child, signal.SIGINT))
    # Every other child of the supervisor is an orphan it adopted: reaping them keeps zombies from piling up.
    while True:
        try:
            pid, status = os.waitpid(-1, 0)
        except ChildProcessError:
            status = 0
            break
        if pid == child:
            break
    kill_descendants(os.getpid())
    while True:  # reap what was just killed, so that no zombie is left for init
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    sys.stdout.flush()
    sys.stderr.flush()
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        try:
            signal.signal(sig, signal.SIG_DFL)
        except (OSError, ValueError):
            pass  # SIGKILL, SIGSTOP: always the default
        os.kill(os.getpid(), sig)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)
