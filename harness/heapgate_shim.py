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

Heap counters (``HEAPGATE_HEAP_COUNTER``):
- ``allocator`` (the default where it works: CPython on glibc): live bytes as the allocators count them,
  pymalloc's bytes in allocated blocks plus glibc malloc's in-use bytes (which also holds C extensions' own
  memory). Both are read in microseconds and cost the service nothing between samples, so tracemalloc stays
  off until an attribution pass asks for leak sites.
- ``tracemalloc``: traced bytes, tracemalloc running from start-up at ``HEAPGATE_TRACE_DEPTH`` frames; every
  allocation pays for it (here 2-3.5x the request handling time at 1 frame).

The shim's own retained allocations (the baseline snapshot) are measured when made and subtracted from
every heap figure; its threads and file descriptors are subtracted from the counts it reports.
"""

import contextlib
import ctypes
import gc
import hashlib
import hmac
import json
import logging
import os
import re
import socket
import sys
import threading
import time
import traceback

PROTOCOL_VERSION = 2
_HANDSHAKE_SECONDS = 10
MIN_PYTHON = (3, 8)
_SHIM_FILE = os.path.abspath(__file__)
_HARNESS_DIR = os.path.dirname(_SHIM_FILE)
_HELPER_MARKERS = ("resource_tracker", "semaphore_tracker", "forkserver")
_HEAP_COUNTERS = ("allocator", "tracemalloc")


class _Shim:
    """State of the shim in one process."""

    def __init__(self):
        self.role = "main"
        self.channel = None  # a _Channel
        self.lock = threading.Lock()
        self.own_threads = 0
        self.own_fds = set()
        self.retained_bytes = 0
        self.baseline = None  # {(file, line): (size, count)} keyed by attribution site
        self.project_root = os.path.realpath(os.environ.get("HEAPGATE_PROJECT_ROOT") or os.getcwd())
        self.call_loop = None
        self.resolved = {}
        self.heap_counter = None  # a _HeapCounter, chosen at install()
        self.frozen = False
        self.last_heap = None  # the previous sample's heap figure


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


# --- samples -------------------------------------------------------------------------------------


def _rss_bytes():
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _os_threads():
    try:
        with open("/proc/self/status", "rb") as status:
            for line in status:
                if line.startswith(b"Threads:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return threading.active_count()


def _open_fds():
    try:
        # listdir itself holds one descriptor open while it reads.
        return len(os.listdir("/proc/self/fd")) - 1
    except OSError:
        return -1


def _logging_handlers():
    count = len(logging.getLogger().handlers)
    for logger in list(logging.Logger.manager.loggerDict.values()):
        if isinstance(logger, logging.Logger):
            count += len(logger.handlers)
    return count


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            *("arena", "ordblks", "smblks", "hblks", "hblkhd"),
            *("usmblks", "fsmblks", "uordblks", "fordblks", "keepcost"),
        )
    ]


_ALLOCATED_BLOCKS = re.compile(rb"# bytes in allocated blocks\s*=\s*([\d,]+)")


class _AllocatorCounter:
    """pymalloc's bytes in allocated blocks plus glibc malloc's in-use bytes, read through ctypes.

    pymalloc serves objects up to 512 bytes from arenas it maps itself; everything larger, and every C
    extension's own memory, comes from malloc. The two never overlap, so their sum is the live heap.
    """

    name = "allocator"

    def __init__(self):
        libc = ctypes.CDLL(None)
        self._mallinfo2 = libc.mallinfo2
        self._mallinfo2.restype = _MallInfo2
        self._mallinfo2.argtypes = []
        self._open_memstream = libc.open_memstream
        self._open_memstream.restype = ctypes.c_void_p
        self._open_memstream.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_size_t)]
        self._fclose = libc.fclose
        self._fclose.argtypes = [ctypes.c_void_p]
        self._free = libc.free
        self._free.argtypes = [ctypes.c_void_p]
        self._stats = ctypes.pythonapi._PyObject_DebugMallocStats
        self._stats.argtypes = [ctypes.c_void_p]
        self._stats.restype = ctypes.c_int
        self.bytes()  # fail here, at install, rather than at the first sample

    def _pymalloc_bytes(self):
        # The statistics go to a FILE*; an in-memory one keeps them off the service's stderr.
        text = ctypes.c_char_p()
        size = ctypes.c_size_t()
        stream = self._open_memstream(ctypes.byref(text), ctypes.byref(size))
        if not stream:
            raise OSError("open_memstream failed")
        try:
            in_use = self._stats(stream)
        finally:
            self._fclose(stream)
        try:
            report = ctypes.string_at(text, size.value)
        finally:
            self._free(text)
        if not in_use:
            return 0  # PYTHONMALLOC=malloc: every object is malloc's, counted below
        match = _ALLOCATED_BLOCKS.search(report)
        if match is None:
            raise ValueError("pymalloc statistics without 'bytes in allocated blocks'")
        return int(match.group(1).replace(b",", b""))

    def bytes(self):
        info = self._mallinfo2()
        return self._pymalloc_bytes() + info.uordblks + info.hblkhd


class _TracemallocCounter:
    """Bytes traced by tracemalloc, which runs from start-up."""

    name = "tracemalloc"

    def bytes(self):
        import tracemalloc

        return tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0


def _choose_heap_counter(wanted):
    """The counter asked for, or tracemalloc (with the reason) where the allocator's cannot be read."""
    if wanted == "tracemalloc":
        return _TracemallocCounter(), None
    try:
        return _AllocatorCounter(), None
    except (AttributeError, OSError, ValueError) as error:
        reason = "allocator counters unavailable (%s): heap is traced by tracemalloc" % error
        return _TracemallocCounter(), reason


# A heap figure more than this above the previous sample's is read again before it is believed.
_SETTLE_JUMP = 1 << 20
_SETTLE_TRIES = 10


def _settled_heap_bytes():
    """The heap figure, without what other threads hold for a moment as the sample is taken.

    heapgate samples once every request has been answered, but a server thread may still be in the tail
    of its work (seen with Flask's dev server on a loaded machine: a transient 10 MB in use in malloc,
    gone 5 ms later). A sudden jump is read again a few times, a couple of milliseconds apart, and the
    lowest reading kept: growth that stays is still there at the last reading.
    """
    heap = _shim.heap_counter.bytes()
    last = _shim.last_heap
    tries = 0
    while last is not None and heap - last > _SETTLE_JUMP and tries < _SETTLE_TRIES:
        time.sleep(0.002)
        heap = min(heap, _shim.heap_counter.bytes())
        tries += 1
    _shim.last_heap = heap
    return heap


def _sample():
    gc.collect()
    if not _shim.frozen:
        # What is alive at the first sample is the service's start-up state: moving it out of the
        # collector's generations makes every later collection (one per sample) cost only what the
        # requests left. Cyclic garbage among those objects is then never collected; it can only have
        # been alive at start-up, so it is bounded and not growth.
        gc.freeze()
        _shim.frozen = True
    heap = _settled_heap_bytes()
    fds = _open_fds()
    return {
        "type": "sample",
        "heap": max(0, heap - _shim.retained_bytes),
        "rss": _rss_bytes(),
        "threads": max(0, _os_threads() - _shim.own_threads),
        "fds": max(0, fds - len(_shim.own_fds)) if fds >= 0 else -1,
        "handlers": _logging_handlers(),
        "gcObjects": len(gc.get_objects()) + gc.get_freeze_count(),
        "time": time.time(),
    }


# --- leak sites ----------------------------------------------------------------------------------


_project_files = {}


def _is_project_file(filename):
    known = _project_files.get(filename)
    if known is None:
        known = _classify(filename)
        _project_files[filename] = known
    return known


def _classify(filename):
    if not filename or filename.startswith("<"):
        return False
    path = os.path.realpath(filename)
    if path == _SHIM_FILE or path.startswith(_HARNESS_DIR + os.sep):
        return False
    if "site-packages" in path or "dist-packages" in path:
        return False
    return path.startswith(_shim.project_root + os.sep)


def _site_of(tb):
    """The innermost frame in the project's own code, or the innermost frame when there is none."""
    frames = list(tb)  # oldest first
    for frame in reversed(frames):
        if _is_project_file(frame.filename):
            return frame
    return frames[-1] if frames else None


def _frames(tb):
    """`file:line` strings, innermost first, without the shim's own frames (a call scenario's caller)."""
    return ["%s:%d" % (f.filename, f.lineno) for f in reversed(list(tb)) if f.filename != _SHIM_FILE]


def _snapshot_by_site(tracebacks=True):
    """Traced bytes and blocks per site; with `tracebacks`, also the biggest contributor's traceback."""
    import tracemalloc

    gc.collect()
    snapshot = tracemalloc.take_snapshot()
    # What tracemalloc and the shim allocate is not the service's. Checked here rather than with
    # Snapshot.filter_traces, which costs ~50 ms per thousand deep traces (fnmatch per trace).
    excluded = {tracemalloc.__file__, _SHIM_FILE, "<unknown>"}
    sites = {}
    for stat in snapshot.statistics("traceback"):
        if not len(stat.traceback) or stat.traceback[-1].filename in excluded:  # innermost frame
            continue
        frame = _site_of(stat.traceback)
        if frame is None:
            continue
        key = (frame.filename, frame.lineno)
        entry = sites.get(key)
        if entry is None:
            sites[key] = [stat.size, stat.count, stat.traceback, stat.size]
        else:
            entry[0] += stat.size
            entry[1] += stat.count
            if stat.size > entry[3]:  # keep the traceback of the biggest contributor
                entry[2] = stat.traceback
                entry[3] = stat.size
    for entry in sites.values():
        entry[2] = _frames(entry[2]) if tracebacks else None
    del snapshot
    return sites


def _baseline():
    import tracemalloc

    if not tracemalloc.is_tracing():
        return {"type": "baseline", "error": "tracemalloc is not tracing"}
    _shim.baseline = None
    gc.collect()
    before = _shim.heap_counter.bytes()
    sites = _snapshot_by_site(tracebacks=False)
    _shim.baseline = {key: (value[0], value[1]) for key, value in sites.items()}
    del sites
    gc.collect()
    # Whatever the baseline keeps alive is the shim's, not the service's.
    _shim.retained_bytes += max(0, _shim.heap_counter.bytes() - before)
    return {"type": "baseline", "sites": len(_shim.baseline), "retained": _shim.retained_bytes}


def _sites(limit):
    if _shim.baseline is None:
        return {"type": "sites", "error": "no baseline: send 'baseline' first"}
    current = _snapshot_by_site()
    growth = []
    for (filename, lineno), (size, count, tb, _) in current.items():
        base_size, base_count = _shim.baseline.get((filename, lineno), (0, 0))
        if size - base_size > 0:
            growth.append(
                {
                    "file": filename,
                    "line": lineno,
                    "sizeDiff": size - base_size,
                    "countDiff": count - base_count,
                    "traceback": tb,
                    "project": _is_project_file(filename),
                }
            )
    del current
    growth.sort(key=lambda site: (-site["sizeDiff"], site["file"], site["line"]))
    return {"type": "sites", "sites": growth[:limit]}


def _retrace(depth):
    """(Re)start tracemalloc keeping `depth` frames, for an attribution pass with full tracebacks.

    Restarting forgets every trace, and tracemalloc's own tables count in the allocator's figures, so
    heap figures before and after are not comparable; heapgate only does this after the measured series.
    """
    import tracemalloc

    tracemalloc.stop()
    _shim.baseline = None
    _shim.retained_bytes = 0
    tracemalloc.start(max(1, depth))
    return {"type": "trace", "depth": tracemalloc.get_traceback_limit()}


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
            reply = _sample()
        elif name == "baseline":
            reply = _baseline()
        elif name == "sites":
            reply = _sites(int(command.get("limit", 20)))
        elif name == "call":
            reply = _call(command)
        elif name == "trace":
            reply = _retrace(int(command.get("depth", 1)))
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
    counter = _shim.heap_counter
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
    _shim.frozen = False  # the worker's own start-up state is frozen at its first sample
    _shim.last_heap = None
    _shim.own_fds = set()
    _shim.channel = None
    if inherited is not None:
        inherited.close()
    channel = _open_channel()
    if channel is None:
        return
    _shim.channel = channel
    _shim.own_fds = set(channel.fds())
    _shim.own_threads = 1
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
    _shim.heap_counter, fallback = _choose_heap_counter(wanted if wanted in _HEAP_COUNTERS else "allocator")
    if _shim.heap_counter.name == "tracemalloc":
        import tracemalloc

        if not tracemalloc.is_tracing():
            tracemalloc.start(int(os.environ.get("HEAPGATE_TRACE_DEPTH", "1")))
    _shim.channel = _open_channel({"note": fallback} if fallback else None)
    if _shim.channel is None:
        return
    _shim.own_fds |= _shim.channel.fds()
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)
    _shim.own_threads = 1
    if os.environ.get("HEAPGATE_BARE") == "1" and first:
        # A bare interpreter exists only to run call scenarios: serve on the main thread.
        _shim.own_threads = 0
        return
    _start_thread(_shim.channel)


def serve_forever():
    """Bare-interpreter mode (`python -c "import heapgate_shim; heapgate_shim.serve_forever()"`)."""
    if _shim.channel is None:
        install()
    if _shim.channel is not None:
        _serve(_shim.channel)
