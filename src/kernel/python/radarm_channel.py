"""The runner's private reply channel and its interrupt discipline.

Part of Radarm's Python kernel. Importing this module moves the process's ORIGINAL stdout to a private fd and
points fd 1 at stderr, so that nothing the user's code (or a C library) prints can reach the protocol. It must be
imported before anything can print. Python 3.8+, standard library only.

The first line on stdin is a secret the host made for this process; every reply line starts with it, and the host
ignores lines without it. The user's code can print, write to fd 1, to the channel's fd or to /proc/self/fd/N,
but does not know the secret: it is in no file, argument or environment variable. (Code that searches the
runner's own memory for it could still find it: this guards the protocol, it is not a security boundary against
the code itself; the OS sandbox is.)
"""
import json
import os
import signal
import sys
import threading

_proto_fd = os.dup(1)  # os.dup makes it non-inheritable: subprocesses the user's code starts do not get it
os.dup2(2, 1)
_proto_lock = threading.Lock()


class _Flags(object):
    in_user_code = False
    main_in_protocol = False
    deferred_interrupt = False


FLAGS = _Flags()

_MAIN_THREAD = threading.main_thread()


def _make_send(prefix):
    # The secret lives only in this closure, not in a module global that `from radarm_channel import *` would show.
    def send(obj):
        _send(prefix + (json.dumps(obj, ensure_ascii=True, default=str) + "\n").encode("ascii"))
    return send


send = _make_send(sys.stdin.buffer.readline().strip() + b" ")


def _send(data):
    on_main = threading.current_thread() is _MAIN_THREAD
    if on_main:
        FLAGS.main_in_protocol = True  # an interrupt now must not cut a line in half: it waits
    try:
        with _proto_lock:
            view = memoryview(data)
            while view:
                n = os.write(_proto_fd, view)
                view = view[n:]
    finally:
        if on_main:
            FLAGS.main_in_protocol = False
    if on_main and FLAGS.deferred_interrupt and FLAGS.in_user_code:
        FLAGS.deferred_interrupt = False
        raise KeyboardInterrupt()


# --- interrupts: SIGINT only ever interrupts the user's code, never the protocol ------------------------------------


def _on_sigint(signum, frame):
    if not FLAGS.in_user_code:
        return
    if FLAGS.main_in_protocol:
        FLAGS.deferred_interrupt = True  # raised once the protocol line is complete
        return
    raise KeyboardInterrupt()


def install_interrupt_handler():
    signal.signal(signal.SIGINT, _on_sigint)


INTERRUPT_REQUEST = b'{"op":"interrupt"}'


def interrupt_main():
    """An interrupt requested on the channel (the sandbox's init does not pass SIGINT on): signal the main
    thread itself, so that a blocking call there (sleep, a socket) is woken too."""
    if hasattr(signal, "pthread_kill"):
        signal.pthread_kill(_MAIN_THREAD.ident, signal.SIGINT)
    else:
        import _thread
        _thread.interrupt_main()
