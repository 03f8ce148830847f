"""The reach probe: which of the project's functions of interest ran, and in how many iterations.

heapgate names the functions it cares about for a scenario (the route's handler, the flagged functions and
the functions on the call path between them) by file and the lines their code may start on (a decorated
function's code starts at its first decorator). For a short probe window it drives the scenario one
request at a time and sends a ``mark`` after each; a profile hook counts, per function, the iterations
(the spans between marks) in which it was entered.

Cost: the hook is a Python function called for every Python call on a hooked thread, so it runs only for
the probe's few iterations and removes itself afterwards (each thread's hook drops itself at its next
event once the probe has stopped). Code objects are looked up once each.

Threads: ``sys.setprofile`` hooks only the thread that calls it. Threads started during the probe get the
hook through ``threading.setprofile`` (a thread per request: http.server, Flask's and Django's dev
servers; worker pools that grow on demand). The main thread (asyncio servers, gunicorn's sync workers)
gets it from a real-time signal whose handler the shim installed at start-up: Python runs signal
handlers on the main thread, between bytecodes. Threads that already existed before the probe and are not
the main thread are not hooked; the reply says what was.
"""

import os
import signal
import sys
import threading

_SIGNAL = signal.SIGRTMIN + 7 if hasattr(signal, "SIGRTMIN") else None
_MISSING = object()


class _Probe:
    def __init__(self):
        self.active = False
        self.epoch = 0
        self.starts = {}  # (real path, first line) -> function id
        self.codes = {}  # code object -> function id or None
        self.paths = {}  # co_filename -> real path
        self.seen = {}  # function id -> the last epoch it was counted in
        self.counts = {}  # function id -> iterations it ran in


_probe = _Probe()
_signal_ready = False


def _real(filename):
    path = _probe.paths.get(filename)
    if path is None:
        path = os.path.realpath(filename) if filename and not filename.startswith("<") else filename
        _probe.paths[filename] = path
    return path


def _hook(frame, event, arg):
    if event != "call":
        return
    if not _probe.active:
        sys.setprofile(None)
        return
    code = frame.f_code
    fid = _probe.codes.get(code, _MISSING)
    if fid is _MISSING:
        fid = _probe.starts.get((_real(code.co_filename), code.co_firstlineno))
        _probe.codes[code] = fid
    if fid is not None and _probe.epoch and _probe.seen.get(fid) != _probe.epoch:
        _probe.seen[fid] = _probe.epoch
        _probe.counts[fid] = _probe.counts.get(fid, 0) + 1


def _on_signal(signum, frame):
    if _probe.active:
        sys.setprofile(_hook)


def prepare():
    """At start-up, on the main thread: the signal that will hook the main thread when a probe starts.

    Only when nothing else handles that signal; its default action would end the process, so heapgate
    never sends it itself: the probe sends it only after checking this handler is still the one in place.
    """
    global _signal_ready
    if _SIGNAL is None or threading.current_thread() is not threading.main_thread():
        return
    try:
        if signal.getsignal(_SIGNAL) == signal.SIG_DFL:
            signal.signal(_SIGNAL, _on_signal)
            _signal_ready = True
    except (ValueError, OSError):
        pass


def _main_thread_hookable():
    return _signal_ready and signal.getsignal(_SIGNAL) is _on_signal


def start(functions):
    """Starts counting. `functions`: [{"id", "file" (absolute), "lines": [first, last]}]."""
    _probe.starts = {}
    for function in functions:
        path = os.path.realpath(function["file"])
        first, last = function["lines"]
        for line in range(int(first), int(last) + 1):
            _probe.starts.setdefault((path, line), function["id"])
    _probe.codes = {}
    _probe.seen = {}
    _probe.counts = {}
    _probe.epoch = 0
    _probe.active = True
    threading.setprofile(_hook)
    # The shim's own thread runs in-process call scenarios (and, in a bare interpreter, is the main thread).
    sys.setprofile(_hook)
    main = threading.current_thread() is threading.main_thread() or _main_thread_hookable()
    if main and threading.current_thread() is not threading.main_thread():
        signal.pthread_kill(threading.main_thread().ident, _SIGNAL)
    return {"type": "reach", "hooked": {"mainThread": main, "newThreads": True}}


def mark():
    """The next iteration begins. heapgate marks before each; what runs before the first is not counted."""
    _probe.epoch += 1
    return {"type": "reach", "epoch": _probe.epoch}


def stop():
    """Stops counting and gives the iterations each function ran in (functions that never ran are absent)."""
    _probe.active = False
    threading.setprofile(None)
    sys.setprofile(None)
    counts = dict(_probe.counts)
    _probe.codes = {}
    return {"type": "reach", "counts": counts, "iterations": _probe.epoch}


def handle(command):
    action = command.get("action")
    if action == "start":
        return start(command.get("functions", []))
    if action == "mark":
        return mark()
    if action == "stop":
        return stop()
    return {"type": "error", "error": "unknown reach action %r" % action}
