"""heapgate's held-by search: the containers that grow during the attribution pass, and what holds them.

Part of the shim (docs/held-by.md). ``start`` runs where the attribution pass takes its baseline,
``stop`` after the pass's iterations:

1. **Census** (start): every object the collector tracks, counted by type, and every container that could
   hold a leak remembered with its length and size: dicts (an untracked dict of plain keys and values is
   found through whoever references it), lists, sets, deques and their subclasses, and exceptions with
   their traceback chain (a kept exception raised again adds frames to it). Then ``gc.freeze()`` moves
   every live object out of the collector's generations, so that afterwards ``gc.get_objects()`` lists
   exactly the objects the pass made and kept: what is *new* is known without remembering every id.
2. **Growth** (stop): the remembered containers whose length grew by at least one entry in twenty
   iterations, the types whose count grew.
3. **What it costs**: from a sample of each grower's new entries, everything new they keep alive (walked
   through the collector's references, stopping at anything that existed before), in bytes, tallied by
   the allocation site it came from; plus the container's own growth.
4. **Who adds**: the allocation tracebacks of the new entries (tracemalloc traces the pass), the
   innermost frame of the project's own code, the most common one, a retaining statement (``raise``,
   ``.append(``…) first on a tie.
5. **What holds it**: a path from a root (heapgate_paths.py).

Cost: one pass over the heap at start and two at stop, plus one heap scan per path level (bench/holders.js:
on a million objects, 1.6 s at start and 0.6 s at stop on a loaded 2-core machine). Everything is bounded:
the time budget heapgate sends, and caps on objects, remembered containers, new objects and the walks. Past
a bound the reply says where it stopped (``gaveUp``) and carries what it found so far.
"""

import collections
import gc
import itertools
import operator
import sys
import time
import types

import heapgate_measure as _measure
import heapgate_paths as _paths

# A container smaller than this when the pass starts is not followed: after warm-up and the measured
# part, a leaking one already holds far more.
MIN_ENTRIES = 16
# Growth that names a holder: at least one entry in this many iterations, and at least MIN_GROWTH.
MIN_RATE = 0.05
MIN_GROWTH = 3
MAX_OBJECTS = 25_000_000  # a heap larger than this is not searched: its list alone would be 200 MB
MAX_WATCHED = 100_000  # containers remembered at start
MAX_FRESH = 500_000  # objects the pass made and kept
MAX_CANDIDATES = 12  # growers examined in full
MAX_TYPES = 200  # types of new objects counted over the heap
MAX_SAMPLE = 50  # new entries walked per grower: their mean cost is what is extrapolated
MAX_WALK = 20_000  # objects walked per grower
MAX_CHAIN = 1_000_000  # traceback links followed, in all
MAX_SCAN = 200_000  # members of a set looked through for new ones
_CHUNK = 10_000

_SEQUENCE, _MAPPING, _SET, _CHAIN = "sequence", "mapping", "set", "traceback"


class _Census:
    def __init__(self):
        self.watched = []  # (container, kind, length, size) at start
        # The type of every object at start, in one list (8 bytes an object): the counts a type had are
        # read from it at stop for the few types that can have grown. A Counter here would allocate an
        # int per object counted, and tracemalloc, tracing the pass, makes every allocation costly.
        self.types = []
        self.objects = 0
        self.seconds = 0.0
        self.chain_steps = 0


_census = [None]


def handle(command):
    """The shim's `holders` command: `start` at the pass's baseline, `stop` after its iterations."""
    budget = max(0.1, float(command.get("budgetMs", 30_000)) / 1000)
    if command.get("action") == "start":
        return start(budget)
    return stop(int(command.get("iterations", 1)), budget, int(command.get("limit", 5)))


def start(budget_seconds):
    began = time.perf_counter()
    deadline = began + budget_seconds
    _census[0] = None
    gc.collect()
    # The measured part froze the start-up state out of the collector's lists: bring it back to count it.
    gc.unfreeze()
    objects = gc.get_objects()
    if len(objects) > MAX_OBJECTS:
        count = len(objects)
        del objects
        gc.freeze()
        return _started(
            None, began, "the heap holds %d objects, more than the %d searched" % (count, MAX_OBJECTS)
        )
    census = _Census()
    census.objects = len(objects)
    census.types = list(map(type, objects))
    kinds = {cls: kind for cls in set(census.types) for kind in (_kind_of(cls),) if kind is not None}
    seen = set()
    gave_up = None
    # The builtin containers, by far the most numerous, are measured in C: only the big ones are watched.
    exact = [cls for cls in (dict, list, set, collections.deque) if cls in kinds]
    for cls in exact:
        of_type = list(itertools.compress(objects, map(operator.is_, census.types, itertools.repeat(cls))))
        big = itertools.compress(of_type, map(operator.le, itertools.repeat(MIN_ENTRIES), map(len, of_type)))
        for obj in big:
            if gave_up is None and not _watch(census, obj, kinds[cls], seen):
                gave_up = "more than %d containers of %d entries or more" % (MAX_WATCHED, MIN_ENTRIES)
        del of_type, big
    others = {cls: kind for cls, kind in kinds.items() if cls not in exact}
    for obj in itertools.compress(objects, map(others.__contains__, census.types)):
        if gave_up is None and not _watch(census, obj, others[type(obj)], seen):
            gave_up = "more than %d containers of %d entries or more" % (MAX_WATCHED, MIN_ENTRIES)
    # A dict of plain keys and values is not tracked by the collector; whoever references it is.
    for begin in range(0, len(objects), _CHUNK):
        if gave_up is not None:
            break
        if time.perf_counter() > deadline:
            gave_up = "out of time (%.3g s) looking for untracked dicts" % budget_seconds
            break
        referents = gc.get_referents(*objects[begin : begin + _CHUNK])
        # Filtered in C (the referents of a million objects are several million): exact dicts, untracked.
        dicts = itertools.compress(referents, map(operator.is_, map(type, referents), itertools.repeat(dict)))
        for ref in itertools.filterfalse(gc.is_tracked, dicts):
            if len(ref) >= MIN_ENTRIES and id(ref) not in seen and not _watch(census, ref, _MAPPING, seen):
                gave_up = "more than %d containers of %d entries or more" % (MAX_WATCHED, MIN_ENTRIES)
                break
        del referents, dicts
    del objects
    # From here on, gc.get_objects() lists only what the pass makes and keeps.
    gc.freeze()
    _measure.state.frozen = True
    census.seconds = time.perf_counter() - began
    _census[0] = census
    return _started(census, began, gave_up)


def _started(census, began, gave_up):
    reply = {"type": "holders", "phase": "start", "seconds": time.perf_counter() - began}
    if census is not None:
        reply["objects"] = census.objects
        reply["watched"] = len(census.watched)
    if gave_up:
        reply["gaveUp"] = gave_up
    return reply


def _kind_of(cls):
    if issubclass(cls, dict):
        return _MAPPING
    if issubclass(cls, (list, collections.deque)):
        return _SEQUENCE
    if issubclass(cls, set):
        return _SET
    if issubclass(cls, BaseException):
        return _CHAIN
    return None


def _watch(census, obj, kind, seen):
    """Remembers `obj` when it is big enough to be a holder; False once no more may be remembered."""
    length = _length(obj, kind, census)
    if length is None or length < (2 if kind == _CHAIN else MIN_ENTRIES):
        return True
    if len(census.watched) >= MAX_WATCHED:
        return False
    seen.add(id(obj))
    census.watched.append((obj, kind, length, _sizeof(obj)))
    return True


def _length(obj, kind, census):
    if kind != _CHAIN:
        try:
            return len(obj)
        except Exception:  # noqa: BLE001 - a container whose __len__ fails is not followed
            return None
    length = 0
    link = getattr(obj, "__traceback__", None)
    while link is not None and census.chain_steps < MAX_CHAIN:
        length += 1
        census.chain_steps += 1
        link = link.tb_next
    return length


def _sizeof(obj):
    try:
        return sys.getsizeof(obj)
    except Exception:  # noqa: BLE001 - objects whose __sizeof__ fails count nothing
        return 0


# --- stop -----------------------------------------------------------------------------------------


def stop(iterations, budget_seconds, limit):
    census = _census[0]
    _census[0] = None
    if census is None:
        return {"type": "holders", "phase": "stop", "error": "no census: send holders start first"}
    began = time.perf_counter()
    deadline = began + budget_seconds
    iterations = max(1, iterations)
    gc.collect()
    fresh = gc.get_objects()  # everything else is frozen: these are what the pass made and kept
    made = len(fresh)
    # tracemalloc traces the pass, and each object allocated here costs microseconds to trace: nothing
    # below allocates per object of the heap, only per new object (capped) or per type.
    new_ids = set(map(id, fresh)) if made <= MAX_FRESH else None
    new_types = set(map(type, fresh))
    del fresh
    gc.unfreeze()
    objects = gc.get_objects()
    every_type = list(map(type, objects))
    classes = list(itertools.compress(objects, map(issubclass, every_type, itertools.repeat(type))))
    del objects
    reply = {
        "type": "holders",
        "phase": "stop",
        "objects": census.objects,
        "grownTypes": _grown_types(census, new_types, every_type, iterations),
        "holders": [],
    }
    del every_type, new_types
    if new_ids is None:
        return _done(
            reply,
            census,
            began,
            "the pass left %d new objects, more than the %d followed" % (made, MAX_FRESH),
        )
    measuring = _Pass(iterations, _newness(new_ids), deadline)
    found, gave_up = _measure_growers(_growers(census, iterations), measuring, budget_seconds)
    # A container listing the same new objects as a bigger one (a logger's children beside the registry)
    # adds nothing: the first one named keeps them.
    found.sort(key=lambda f: -f[0]["bytesPerIteration"])
    kept = [f for f in found if f[0].pop("exclusive") * 10 >= f[0]["bytes"]][: max(1, limit)]
    del found
    records = [record for record, _ in kept]
    targets = [container for _, container in kept]
    del kept
    if records and not _name(records, targets, classes, deadline):
        gave_up = gave_up or "out of time (%.3g s) naming the holders" % budget_seconds
    reply["holders"] = records
    return _done(reply, census, began, gave_up)


class _Pass:
    """What measuring the growers shares: the pass's length, what is new, what is counted, the deadline."""

    def __init__(self, iterations, is_new, deadline):
        self.iterations = iterations
        self.is_new = is_new
        self.deadline = deadline
        self.union = set()  # ids of the new objects some holder already counted


def _growers(census, iterations):
    """The remembered containers that grew enough to name, the most grown first (at most MAX_CANDIDATES)."""
    census.chain_steps = 0
    growers = []
    for obj, kind, before, size in census.watched:
        length = _length(obj, kind, census)
        if length is not None and length - before >= max(MIN_GROWTH, iterations * MIN_RATE):
            growers.append((length - before, obj, kind, length, size))
    census.watched = None
    growers.sort(key=lambda g: -g[0])
    return growers[:MAX_CANDIDATES]


def _measure_growers(examined, measuring, budget_seconds):
    found = []  # (record, container)
    for grower in examined:
        if time.perf_counter() > measuring.deadline:
            return found, "out of time (%.3g s) measuring what the growing containers keep" % budget_seconds
        found.append((_measure_holder(grower, measuring), grower[1]))
    return found, None


def _name(records, targets, classes, deadline):
    """Each record's path from a root; False when time ran out before every one was named."""
    roots = _paths.Roots(classes, _measure._is_project_file)
    complete = True
    for record, container in zip(records, targets):
        record.pop("bytes")
        if time.perf_counter() > deadline:
            complete = False
            record["path"] = None
            continue
        path = _paths.path_to(container, roots, deadline, {id(targets)})
        if path is not None and record["type"] == _CHAIN:
            path += ".__traceback__"
        record["path"] = path
    return complete


def _done(reply, census, began, gave_up):
    # Back to how the measured part left it: the collector's lists hold only what later requests make.
    gc.freeze()
    reply["seconds"] = census.seconds + time.perf_counter() - began
    if gave_up:
        reply["gaveUp"] = gave_up
    return reply


def _grown_types(census, candidates, every_type, iterations):
    """Types whose count grew: only types of new objects can, each counted in C over both lists of types."""
    # The census's own lists and tuples are not the service's growth.
    own = {tuple: len(census.watched), list: 2}
    grown = []
    for cls in list(candidates)[:MAX_TYPES]:
        diff = operator.countOf(every_type, cls) - operator.countOf(census.types, cls) - own.get(cls, 0)
        if diff >= max(MIN_GROWTH, iterations * MIN_RATE):
            grown.append((diff, _type_name(cls)))
    grown.sort(key=lambda g: (-g[0], g[1]))
    return [{"type": name, "perIteration": diff / iterations} for diff, name in grown[:8]]


def _type_name(cls):
    module = getattr(cls, "__module__", "builtins")
    name = getattr(cls, "__qualname__", cls.__name__)
    return name if module in ("builtins", None) else "%s.%s" % (module, name)


def _measure_holder(grower, measuring):
    """The record of one grower `(grew, container, kind, length now, size at start)`."""
    grew, obj, kind, length, size = grower
    iterations, is_new = measuring.iterations, measuring.is_new
    entries = _new_entries(obj, kind, grew, is_new)
    walked = _walk(entries, kind, is_new, measuring.union, measuring.deadline)
    scale = grew / max(1, len(entries))
    total = walked["bytes"] * scale + max(0, _sizeof(obj) - size)
    added = _added_at(entries, is_new)
    entry_types = collections.Counter(_type_name(type(entry[0])) for entry in entries)
    record = {
        "type": _CHAIN if kind == _CHAIN else _type_name(type(obj)),
        "entryType": entry_types.most_common(1)[0][0] if entry_types else None,
        "entries": length,
        "entriesPerIteration": grew / iterations,
        "bytesPerIteration": total / iterations,
        "addedAt": added,
        "sites": [
            [filename, lineno, round(size * scale)]
            for (filename, lineno), size in sorted(walked["sites"].items(), key=lambda s: -s[1])[:10]
        ],
        "bytes": walked["bytes"],
        "exclusive": walked["exclusive"],
    }
    if walked["partial"]:
        record["partial"] = True
    return record


def _newness(new_ids):
    def is_new(obj):
        if gc.is_tracked(obj):
            return id(obj) in new_ids
        return _allocated_at(obj) is not None

    return is_new


def _new_entries(obj, kind, grew, is_new):
    """Up to MAX_SAMPLE of the entries the pass added, each as the objects to walk from (value first)."""
    want = min(grew, MAX_SAMPLE)
    try:
        if kind == _SEQUENCE:
            tail = list(itertools.islice(reversed(obj), want))
            if sum(map(is_new, tail)) * 2 >= len(tail):
                return [(item,) for item in tail]
            return [(item,) for item in itertools.islice(obj, want)]
        if kind == _MAPPING:
            return [(value, key) for key, value in itertools.islice(reversed(obj.items()), want)]
        if kind == _SET:
            new = (item for item in itertools.islice(obj, MAX_SCAN) if is_new(item))
            return [(item,) for item in itertools.islice(new, want)]
    except RuntimeError:  # another thread changed it as it was read: measured without its entries
        return []
    links = []
    link = getattr(obj, "__traceback__", None)
    while link is not None and len(links) < want:
        links.append((link,))
        link = link.tb_next
    return links


def _walk(entries, kind, is_new, union, deadline):
    """Bytes of the new objects the entries keep alive, tallied by allocation site."""
    seen = set()
    stack = [item for entry in entries for item in entry]
    result = {"bytes": 0, "exclusive": 0, "sites": {}, "partial": False}
    visited = 0
    while stack:
        obj = stack.pop()
        key = id(obj)
        if key in seen:
            continue
        seen.add(key)
        if not is_new(obj):
            continue
        size = _sizeof(obj)
        result["bytes"] += size
        if key not in union:
            union.add(key)
            result["exclusive"] += size
        site = _site(_allocated_at(obj))
        if site is not None:
            result["sites"][site] = result["sites"].get(site, 0) + size
        visited += 1
        if visited >= MAX_WALK or (visited % 4096 == 0 and time.perf_counter() > deadline):
            result["partial"] = True
            break
        referents = gc.get_referents(obj)
        if kind == _CHAIN and type(obj) is types.TracebackType:
            # The next link is another entry: each one is measured once, from its own sample.
            referents = [r for r in referents if r is not obj.tb_next]
        stack.extend(referents)
    return result


def _added_at(entries, is_new):
    """`file:line` of the project's own code that adds the entries, or the innermost frame when none is."""
    votes = collections.Counter()
    for entry in entries[:50]:
        allocated = None
        for item in entry:
            allocated = _allocated_at(item) or _allocated_within(item, is_new)
            if allocated is not None:
                break
        site = _site(allocated)
        if site is not None:
            votes[site] += 1
    if not votes:
        return None
    filename, lineno = max(
        votes,
        key=lambda at: (_measure._is_project_file(at[0]), votes[at], _measure.retains(*at), at[0], -at[1]),
    )
    return {"file": filename, "line": lineno, "project": _measure._is_project_file(filename)}


def _allocated_within(obj, is_new):
    """A dict or list from a free list has no trace of its own: what it holds says where it was filled."""
    for item in gc.get_referents(obj):
        if is_new(item):
            allocated = _allocated_at(item)
            if allocated is not None:
                return allocated
    return None


# --- allocation tracebacks -----------------------------------------------------------------------

# CPython 3.11 places a managed __dict__ in front of the object, and its tracemalloc looks for the
# block at the wrong address (fixed in 3.12): every instance of an ordinary class has no traceback.
# The block's real address is asked for directly there.
_MANAGED_DICT = 1 << 4
_raw = [None]


def _site(frames):
    """The innermost frame of the project's own code among `frames` (innermost first), else the innermost."""
    if not frames:
        return None
    for filename, lineno in frames:
        if _measure._is_project_file(filename):
            return (filename, lineno)
    return tuple(frames[0])


def _allocated_at(obj):
    """Where `obj` was allocated: `(file, line)` frames, innermost first, or None when not traced."""
    import tracemalloc

    try:
        # The frames as tracemalloc keeps them (what Traceback wraps): a walk asks for thousands.
        frames = tracemalloc._get_object_traceback(obj)
    except Exception:  # noqa: BLE001 - not traceable
        return None
    if frames is None and sys.version_info[:2] == (3, 11) and type(obj).__flags__ & _MANAGED_DICT:
        frames = _frames_at_block(obj)
    return frames


def _frames_at_block(obj):
    import ctypes

    if _raw[0] is None:
        try:
            function = ctypes.pythonapi._PyTraceMalloc_GetTraceback
        except AttributeError:
            _raw[0] = False
            return None
        function.restype = ctypes.py_object
        function.argtypes = [ctypes.c_uint, ctypes.c_size_t]
        gc_head = sys.getsizeof([]) - [].__sizeof__()
        _raw[0] = (function, gc_head + 2 * ctypes.sizeof(ctypes.c_void_p))
    if _raw[0] is False:
        return None
    function, offset = _raw[0]
    frames = function(0, id(obj) - offset)
    return frames if isinstance(frames, tuple) and frames else None
