"""heapgate's measurements inside the service: heap counters, resource samples and leak sites.

Part of the shim (heapgate_shim.py imports it; both live in the run's private folder). Everything here
runs on the shim's thread, between blocks of requests, and keeps nothing the service could grow.

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

import ctypes
import gc
import linecache
import logging
import os
import re
import threading
import time

HEAP_COUNTERS = ("allocator", "tracemalloc")
_HARNESS_DIR = os.path.dirname(os.path.abspath(__file__))
# The shim's own files: their frames and allocations are not the service's.
_OWN_FILES = {
    os.path.join(_HARNESS_DIR, name)
    for name in ("heapgate_shim.py", "heapgate_measure.py", "heapgate_holders.py", "heapgate_paths.py")
}

_MEASURING = {
    os.path.join(_HARNESS_DIR, name)
    for name in ("heapgate_measure.py", "heapgate_holders.py", "heapgate_paths.py")
}


class _State:
    """What the measurements remember in one process."""

    def __init__(self):
        self.own_threads = 0
        self.own_fds = set()
        self.retained_bytes = 0
        self.baseline = None  # {(file, line): (size, count)} keyed by attribution site
        self.project_root = os.path.realpath(os.environ.get("HEAPGATE_PROJECT_ROOT") or os.getcwd())
        self.heap_counter = None  # a counter, chosen at install
        self.frozen = False
        self.last_heap = None  # the previous sample's heap figure

    def after_fork(self):
        """A forked worker measures itself: its own start-up state, its own descriptors."""
        self.frozen = False  # the worker's own start-up state is frozen at its first sample
        self.last_heap = None
        self.own_fds = set()


state = _State()


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


def choose_heap_counter(wanted):
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
    heap = state.heap_counter.bytes()
    last = state.last_heap
    tries = 0
    while last is not None and heap - last > _SETTLE_JUMP and tries < _SETTLE_TRIES:
        time.sleep(0.002)
        heap = min(heap, state.heap_counter.bytes())
        tries += 1
    state.last_heap = heap
    return heap


def sample():
    gc.collect()
    if not state.frozen:
        # What is alive at the first sample is the service's start-up state: moving it out of the
        # collector's generations makes every later collection (one per sample) cost only what the
        # requests left. Cyclic garbage among those objects is then never collected; it can only have
        # been alive at start-up, so it is bounded and not growth.
        gc.freeze()
        state.frozen = True
    heap = _settled_heap_bytes()
    fds = _open_fds()
    return {
        "type": "sample",
        "heap": max(0, heap - state.retained_bytes),
        "rss": _rss_bytes(),
        "threads": max(0, _os_threads() - state.own_threads),
        "fds": max(0, fds - len(state.own_fds)) if fds >= 0 else -1,
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
    if path in _OWN_FILES or path.startswith(_HARNESS_DIR + os.sep):
        return False
    if "site-packages" in path or "dist-packages" in path:
        return False
    return path.startswith(state.project_root + os.sep)


def _site_of(tb):
    """The innermost frame in the project's own code, or the innermost frame when there is none."""
    frames = list(tb)  # oldest first
    for frame in reversed(frames):
        if _is_project_file(frame.filename):
            return frame
    return frames[-1] if frames else None


# Statements that keep what they make (a kept exception raised again, an append into a global): the
# line to fix, ranked ahead of lines that merely allocate.
_RETAINING = re.compile(
    r"^\s*raise\b|\.(append|appendleft|add|extend|insert|setdefault|update|put|put_nowait)\("
    r"|^\s*[\w.]+\[[^\]]+\]\s*[-+*/|&]?=(?!=)"
)


def retains(filename, lineno):
    """Whether the source line keeps what it makes (`raise cached`, `STORE.append(x)`, `d[k] = v`)."""
    return bool(_RETAINING.search(linecache.getline(filename, lineno)))


def _role(tb, frame):
    """What the site's line does with the memory: `retains` or `allocates` it (the line is the innermost
    frame), `calls` library code that allocates it, or `library` (no frame of the project's own code)."""
    if frame is None or not _is_project_file(frame.filename):
        return "library"
    innermost = tb[-1]
    if innermost.filename != frame.filename or innermost.lineno != frame.lineno:
        return "calls"
    return "retains" if retains(frame.filename, frame.lineno) else "allocates"


def _frames(tb):
    """`file:line` strings, innermost first, without the shim's own frames (a call scenario's caller)."""
    return ["%s:%d" % (f.filename, f.lineno) for f in reversed(list(tb)) if f.filename not in _OWN_FILES]


def _snapshot_by_site(tracebacks=True):
    """Traced bytes and blocks per site; with `tracebacks`, also the biggest contributor's traceback."""
    import tracemalloc

    gc.collect()
    snapshot = tracemalloc.take_snapshot()
    # What tracemalloc and the shim allocate is not the service's. Checked here rather than with
    # Snapshot.filter_traces, which costs ~50 ms per thousand deep traces (fnmatch per trace).
    excluded = {tracemalloc.__file__, "<unknown>", *_OWN_FILES}
    sites = {}
    for stat in snapshot.statistics("traceback"):
        if not len(stat.traceback) or stat.traceback[-1].filename in excluded:  # innermost frame
            continue
        # What the measurement itself leaves (linecache's lines read for `retains`, the held-by search's
        # bookkeeping) has one of its frames further out; the shim's command loop is every call's caller.
        if any(frame.filename in _MEASURING for frame in stat.traceback):
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
        if tracebacks:
            entry[3] = _role(entry[2], _site_of(entry[2]))
            entry[2] = _frames(entry[2])
        else:
            entry[2] = entry[3] = None
    del snapshot
    return sites


def baseline():
    import tracemalloc

    if not tracemalloc.is_tracing():
        return {"type": "baseline", "error": "tracemalloc is not tracing"}
    state.baseline = None
    gc.collect()
    before = state.heap_counter.bytes()
    sites = _snapshot_by_site(tracebacks=False)
    state.baseline = {key: (value[0], value[1]) for key, value in sites.items()}
    del sites
    gc.collect()
    # Whatever the baseline keeps alive is the shim's, not the service's.
    state.retained_bytes += max(0, state.heap_counter.bytes() - before)
    return {"type": "baseline", "sites": len(state.baseline), "retained": state.retained_bytes}


def sites(limit):
    if state.baseline is None:
        return {"type": "sites", "error": "no baseline: send 'baseline' first"}
    current = _snapshot_by_site()
    growth = []
    for (filename, lineno), (size, count, tb, role) in current.items():
        base_size, base_count = state.baseline.get((filename, lineno), (0, 0))
        if size - base_size > 0:
            growth.append(
                {
                    "file": filename,
                    "line": lineno,
                    "sizeDiff": size - base_size,
                    "countDiff": count - base_count,
                    "traceback": tb,
                    "project": _is_project_file(filename),
                    "role": role,
                }
            )
    # What tracemalloc saw grow in all (the service's allocations, every site, shrinking ones too):
    # heapgate compares it with the measured growth to tell what lies outside the Python heap.
    total = sum(entry[0] for entry in current.values()) - sum(size for size, _ in state.baseline.values())
    del current
    growth.sort(key=lambda site: (-site["sizeDiff"], site["file"], site["line"]))
    return {"type": "sites", "sites": growth[:limit], "total": total}


def retrace(depth):
    """(Re)start tracemalloc keeping `depth` frames, for an attribution pass with full tracebacks.

    Restarting forgets every trace, and tracemalloc's own tables count in the allocator's figures, so
    heap figures before and after are not comparable; heapgate only does this after the measured series.
    """
    import tracemalloc

    tracemalloc.stop()
    state.baseline = None
    state.retained_bytes = 0
    tracemalloc.start(max(1, depth))
    return {"type": "trace", "depth": tracemalloc.get_traceback_limit()}
