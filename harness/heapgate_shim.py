"""heapgate's in-process shim: tracemalloc, resource samples and in-process calls over a private channel.

heapgate writes this file (and ``sitecustomize.py``) to a private folder, puts the folder first on
PYTHONPATH and starts the service unchanged. The protocol is documented in docs/ipc.md: one JSON object
per line, every message carrying ``v`` (protocol version), ``type``, ``pid`` and ``ppid``.

Channels: every Python process of the run (the first, forked workers, multiprocessing spawn children,
anything started later) connects to the run's Unix socket (``HEAPGATE_SOCKET``) while it starts, before
the service's code runs, and claims to be itself with a plain ``hello``. heapgate checks the claim and
answers with a key for that connection alone; every message the shim sends from then on carries an
HMAC of its bytes under that key and a sequence number. Nothing the service can reach without reaching
into this module -- its environment, /proc/self, its file descriptors, the socket path -- holds the key,
so it cannot forge a reply (docs/ipc.md, "Who may speak").

What is measured, and how, is heapgate_measure.py's.
"""

import contextlib
import hashlib
import hmac
import json
import os
import socket
import sys
import threading
import time
import traceback

import heapgate_measure as _measure

PROTOCOL_VERSION = 2
_HANDSHAKE_SECONDS = 10
MIN_PYTHON = (3, 8)
_SHIM_FILE = os.path.abspath(__file__)
_HARNESS_DIR = os.path.dirname(_SHIM_FILE)
_HELPER_MARKERS = ("resource_tracker", "semaphore_tracker", "forkserver")


class _Shim:
    """State of the shim in one process."""

    def __init__(self):
        self.role = "main"
        self.channel = None  # a _Channel
        self.lock = threading.Lock()
        self.call_loop = None
        self.resolved = {}


_shim = _Shim()


# --- the channel ---------------------------------------------------------------------------------


class _SocketChannel:
    """One Unix socket connection to heapgate, both directions, authenticated once the handshake is done."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)
        self._buffer = b""
        self._key = None
        self._seq = 0

    def handshake(self, hello):
        """Sends the plain hello and waits for this connection's key; False when heapgate refuses."""
        self.sock.settimeout(_HANDSHAKE_SECONDS)
        try:
            self.sock.sendall(_encode(hello) + b"\n")
            line = self.read_line()
            answer = json.loads(line) if line else {}
            key = answer.get("key") if isinstance(answer, dict) else None
            if not isinstance(key, str):
                return False
            self._key = bytes.fromhex(key)
        except (OSError, ValueError):
            return False
        finally:
            with contextlib.suppress(OSError):
                self.sock.settimeout(None)
        return True

    def frame(self, message):
        """`MAC JSON`: the message numbered and signed with this connection's key."""
        self._seq += 1
        message["seq"] = self._seq
        body = _encode(message)
        return hmac.new(self._key, body, hashlib.sha256).hexdigest().encode("ascii") + b" " + body + b"\n"

    def send(self, data):
        self.sock.sendall(data)

    def read_line(self):
        """The next line heapgate sent, or None once it has closed its end."""
        while b"\n" not in self._buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                return None
            self._buffer += chunk
        line, self._buffer = self._buffer.split(b"\n", 1)
        return line

    def fds(self):
        return {self.sock.fileno()}

    def close(self):
        with contextlib.suppress(OSError):
            self.sock.close()


def _encode(message):
    return json.dumps(message, separators=(",", ":"), default=str).encode("utf-8")


def _envelope(message):
    message["v"] = PROTOCOL_VERSION
    message["pid"] = os.getpid()
    message["ppid"] = os.getppid()
    return message


def _send(message):
    channel = _shim.channel
    if channel is None:
        return
    with _shim.lock:
        try:
            channel.send(channel.frame(_envelope(message)))
        except OSError:
            _shim.channel = None  # heapgate is gone; the service carries on


# --- in-process calls ----------------------------------------------------------------------------


def _resolve(target):
    resolved = _shim.resolved.get(target)
    if resolved is not None:
        return resolved
    import importlib

    module_name, _, attribute = target.partition(":")
    if not module_name or not attribute:
        raise ValueError("function must look like 'module:function', got %r" % target)
    obj = importlib.import_module(module_name)
    for part in attribute.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError("%s is not callable" % target)
    _shim.resolved[target] = obj
    return obj


def _run_result(result):
    if hasattr(result, "__await__"):
        import asyncio

        if _shim.call_loop is None:
            _shim.call_loop = asyncio.new_event_loop()
        return _shim.call_loop.run_until_complete(result)
    return result


def _call(command):
    try:
        function = _resolve(command["function"])
    except Exception as error:  # noqa: BLE001 - reported to heapgate, never raised in the service
        return {"type": "call", "ok": 0, "errors": len(command.get("calls", [])), "error": _describe(error)}
    ok = 0
    errors = 0
    first_error = None
    started = time.perf_counter()
    for call in command.get("calls", []):
        try:
            _run_result(function(*call.get("args", []), **call.get("kwargs", {})))
            ok += 1
        except Exception as error:  # noqa: BLE001 - the scenario's failure, reported with its traceback
            errors += 1
            if first_error is None:
                first_error = _describe(error)
        # Drop the result and any traceback before the next call so nothing outlives it.
    reply = {"type": "call", "ok": ok, "errors": errors, "seconds": time.perf_counter() - started}
    if first_error is not None:
        reply["error"] = first_error
    return reply


def _describe(error):
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return text[-4000:]


# --- the command loop ----------------------------------------------------------------------------


def _handle(line):
    try:
        command = json.loads(line)
        name = command["cmd"]
    except (ValueError, KeyError, TypeError):
        return {"type": "error", "error": "not a command: %r" % line[:200]}
    try:
        if name == "sample":
            reply = _measure.sample()
        elif name == "baseline":
            reply = _measure.baseline()
        elif name == "sites":
            reply = _measure.sites(int(command.get("limit", 20)))
        elif name == "call":
            reply = _call(command)
        elif name == "trace":
            # The attribution pass begins: its held-by search is imported now, before the baseline,
            # so that its import is not counted as the service's growth.
            import heapgate_holders

            reply = _measure.retrace(int(command.get("depth", 1)))
        elif name == "reach":
            import heapgate_reach

            reply = heapgate_reach.handle(command)
        elif name == "holders":
            import heapgate_holders

            reply = heapgate_holders.handle(command)
        elif name == "ping":
            reply = {"type": "pong"}
        else:
            reply = {"type": "error", "error": "unknown command %r" % name}
    except Exception as error:  # noqa: BLE001 - the shim must survive anything a command does
        reply = {"type": "error", "error": _describe(error)}
    if "id" in command:
        reply["id"] = command["id"]
    return reply


def _serve(channel):
    while True:
        try:
            line = channel.read_line()
        except OSError:
            line = None
        if line is None:
            _channel_closed(channel)
            return
        if line.strip():
            _send(_handle(line))


def _channel_closed(channel):
    """heapgate closed the channel (it is ending the run) or died: end this process with it.

    A service must never outlive the heapgate that started it, even when heapgate itself was killed.
    """
    if _shim.channel is not channel:
        return  # replaced after a fork: not ours to act on
    import signal

    _remove_private_folder()

    def _force():
        os._exit(70)

    timer = threading.Timer(5.0, _force)
    timer.daemon = True
    timer.start()
    os.kill(os.getpid(), signal.SIGTERM)


def _remove_private_folder():
    """Removes the run's private folder (this file's), so a heapgate killed with SIGKILL leaves none.

    Only a folder heapgate made for this very run: named heapgate-*, holding an owner.json that names
    the run id this process was given.
    """
    if not os.path.basename(_HARNESS_DIR).startswith("heapgate-"):
        return
    try:
        with open(os.path.join(_HARNESS_DIR, "owner.json"), encoding="utf-8") as owner_file:
            owner = json.load(owner_file)
    except (OSError, ValueError):
        return
    if not isinstance(owner, dict) or owner.get("runId") != os.environ.get("HEAPGATE_RUN_ID"):
        return
    import shutil

    shutil.rmtree(_HARNESS_DIR, ignore_errors=True)


def _start_thread(channel):
    thread = threading.Thread(target=_serve, args=(channel,), name="heapgate-shim", daemon=True)
    thread.start()


# --- start-up ------------------------------------------------------------------------------------


def _trace_depth():
    """Frames tracemalloc keeps, 0 while it is off or where there is none (the hello must still go out)."""
    try:
        import tracemalloc

        return tracemalloc.get_traceback_limit() if tracemalloc.is_tracing() else 0
    except (ImportError, AttributeError, RuntimeError):
        return 0


def _hello(extra=None):
    counter = _measure.state.heap_counter
    message = {
        "type": "hello",
        "role": _shim.role,
        "python": ".".join(str(part) for part in sys.version_info[:3]),
        "implementation": sys.implementation.name,
        "executable": sys.executable,
        "argv": list(getattr(sys, "orig_argv", sys.argv)),
        "traceDepth": _trace_depth(),
        "heapCounter": counter.name if counter is not None else "tracemalloc",
    }
    if extra:
        message.update(extra)
    return _envelope(message)


def _unsupported():
    """A reason this interpreter cannot be measured, or None."""
    if sys.version_info < MIN_PYTHON:
        return "Python %d.%d is older than 3.8, which heapgate needs" % sys.version_info[:2]
    try:
        import tracemalloc

        tracemalloc.get_traced_memory()
    except (ImportError, AttributeError, RuntimeError):
        return "%s has no working tracemalloc" % sys.implementation.name
    return None


def _is_helper():
    argv = " ".join(getattr(sys, "orig_argv", sys.argv))
    return any(marker in argv for marker in _HELPER_MARKERS)


def _open_channel(extra=None):
    """Connects to heapgate and claims this process (the hello); None when there is no run or it refuses."""
    path = os.environ.get("HEAPGATE_SOCKET")
    if not path:
        return None
    try:
        channel = _SocketChannel(path)
    except OSError:
        return None
    if not channel.handshake(_hello(extra)):
        channel.close()
        return None
    return channel


def _after_fork_in_child():
    """A forked worker inherits the shim's state but not its thread: give it a channel of its own."""
    inherited = _shim.channel
    _shim.lock = threading.Lock()
    _shim.role = "fork"
    _measure.state.after_fork()
    _shim.channel = None
    if inherited is not None:
        inherited.close()
    channel = _open_channel()
    if channel is None:
        return
    _shim.channel = channel
    _measure.state.own_fds = set(channel.fds())
    _measure.state.own_threads = 1
    _start_thread(channel)


def install():
    """Called from sitecustomize at interpreter start-up, before the service imports anything."""
    reason = _unsupported()
    first = "HEAPGATE_MAIN_PID" not in os.environ
    if first:
        os.environ["HEAPGATE_MAIN_PID"] = str(os.getpid())
        _shim.role = "main"
    else:
        _shim.role = "helper" if _is_helper() else "spawn"
    if reason is not None:
        channel = _open_channel({"error": reason})
        if channel is not None:
            channel.close()
        return
    wanted = os.environ.get("HEAPGATE_HEAP_COUNTER", "allocator")
    if wanted not in _measure.HEAP_COUNTERS:
        wanted = "allocator"
    counter, fallback = _measure.choose_heap_counter(wanted)
    _measure.state.heap_counter = counter
    if counter.name == "tracemalloc":
        import tracemalloc

        if not tracemalloc.is_tracing():
            tracemalloc.start(int(os.environ.get("HEAPGATE_TRACE_DEPTH", "1")))
    _shim.channel = _open_channel({"note": fallback} if fallback else None)
    if _shim.channel is None:
        return
    _measure.state.own_fds |= _shim.channel.fds()
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)
    import heapgate_reach

    heapgate_reach.prepare()  # on the main thread, before the service can claim the signal
    _measure.state.own_threads = 1
    if os.environ.get("HEAPGATE_BARE") == "1" and first:
        # A bare interpreter exists only to run call scenarios: serve on the main thread.
        _measure.state.own_threads = 0
        return
    _start_thread(_shim.channel)


def serve_forever():
    """Bare-interpreter mode (`python -c "import heapgate_shim; heapgate_shim.serve_forever()"`)."""
    if _shim.channel is None:
        install()
    if _shim.channel is not None:
        _serve(_shim.channel)
