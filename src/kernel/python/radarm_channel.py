"""The runner's private reply channel and its interrupt discipline.

Part of Radarm's Python kernel. Importing this module moves the process's ORIGINAL stdout to a private fd and
points fd 1 at stderr, so that nothing the user's code (or a C library) prints can reach the protocol. It must be
imported before anything can print. Python 3.8+, standard library only.
"""
import json
import os
import signal
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


def send(obj):
    data = (json.dumps(obj, ensure_ascii=True, default=str) + "\n").encode("ascii")
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
