"""Names a live object by a path from a root a user recognises: ``app.store``, ``logging.Logger.manager``.

Part of the held-by search (heapgate_holders.py). The search walks *up* from the object with
``gc.get_referrers``, one level at a time for the whole frontier at once (one scan of the heap per
level), until a level holds a root:

- a module's namespace: ``app.store`` (the script run as ``__main__`` is named after its file);
- a class's namespace: ``logging.Logger.manager``;
- a function's closure or defaults: ``<cell cache of make_handler.<locals>.handle()>``;
- a local variable of a running thread's frame or of a suspended coroutine: ``<local app of _run_app()>``.

It then spells the path down from the root, one edge at a time: attributes (``.x``), keys (``["k"]``),
indices (``[3]``), an exception's ``.__traceback__``, an ``lru_cache``'s table. Shortest path first; on a
tie the service's own modules win over libraries, modules over classes, classes over functions.

Frames are never followed upwards (every running function references what it touches): a running
thread's locals are looked up directly instead. Everything here runs on the shim's thread, inside the
budget the caller gives.
"""

import gc
import os
import re
import sys
import threading
import time
import types

# Levels walked up from the object before giving up: module → instance → dict → container covers real paths.
MAX_DEPTH = 12
# Referrers kept per level: a widely shared object (a manager every logger points at) must not explode it.
MAX_FRONTIER = 2000
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# An instance's namespace spelled as a dict: `.__dict__["x"]` reads `.x`.
_ATTRIBUTE_KEY = re.compile(r'\.__dict__\["([A-Za-z_][A-Za-z0-9_]*)"\]')
_LOCALS_TYPES = (types.CoroutineType, types.GeneratorType, types.AsyncGeneratorType)

# Root kinds, best first.
_PROJECT_MODULE, _MODULE, _PROJECT_CLASS, _CLASS, _FUNCTION, _LOCAL = range(6)


def module_name(name, module):
    """The name a user knows a module by: the script run as ``__main__`` is named after its file."""
    if name != "__main__":
        return name
    spec = getattr(module, "__spec__", None)
    if spec is not None and getattr(spec, "name", None) and spec.name != "__main__":
        return spec.name
    path = getattr(module, "__file__", None)
    return os.path.splitext(os.path.basename(path))[0] if path else name


def qualified(cls_or_function):
    module = getattr(cls_or_function, "__module__", None) or "?"
    if module == "__main__":
        main = sys.modules.get("__main__")
        module = module_name("__main__", main) if main is not None else module
    return "%s.%s" % (module, getattr(cls_or_function, "__qualname__", "?"))


class Roots:
    """The roots of the heap, recognised by identity: module and class namespaces, running frames' locals."""

    def __init__(self, classes, is_project_file):
        self.is_project_file = is_project_file
        self.modules = {}  # id(module namespace) -> (name, module)
        for name, module in list(sys.modules.items()):
            namespace = getattr(module, "__dict__", None)
            if isinstance(namespace, dict) and id(namespace) not in self.modules:
                self.modules[id(namespace)] = (module_name(name, module), module)
        self.classes = {}  # id(class namespace) -> class
        for cls in classes:
            try:
                namespace = gc.get_referents(cls.__dict__)
            except Exception:  # noqa: BLE001 - a class with an exotic __dict__ is simply not a root
                continue
            if len(namespace) == 1 and isinstance(namespace[0], dict):
                self.classes[id(namespace[0])] = cls
        self.locals = _running_locals()

    def _own(self, module):
        return self.is_project_file(getattr(module, "__file__", None) or "")

    def root(self, obj):
        """(kind, label) when `obj` is a root, else None."""
        key = id(obj)
        if key in self.modules:
            name, module = self.modules[key]
            return (_PROJECT_MODULE if self._own(module) else _MODULE, name)
        if key in self.classes:
            cls = self.classes[key]
            module = sys.modules.get(getattr(cls, "__module__", None) or "")
            return (_PROJECT_CLASS if self._own(module) else _CLASS, qualified(cls))
        if type(obj) is types.FunctionType:
            return (_FUNCTION, qualified(obj))
        if isinstance(obj, _LOCALS_TYPES):
            return (_LOCAL, "<%s>" % getattr(obj, "__qualname__", type(obj).__name__))
        if key in self.locals:
            return (_LOCAL, self.locals[key])
        return None


def _running_locals():
    """id(value) -> ``<local NAME of FUNCTION()>`` over the frames other threads are running."""
    found = {}
    me = threading.get_ident()
    for ident, top in list(sys._current_frames().items()):
        if ident == me:
            continue
        frame = top
        while frame is not None:
            if frame.f_locals is frame.f_globals:
                # A module's own code running (a script's `serve_forever()`): its names are the
                # module's globals, named from the module.
                frame = frame.f_back
                continue
            try:
                names = list(frame.f_locals.items())
            except Exception:  # noqa: BLE001 - a frame whose locals cannot be read is skipped
                names = []
            for name, value in names:
                found.setdefault(id(value), "<local %s of %s()>" % (name, frame.f_code.co_name))
            frame = frame.f_back
    return found


def path_to(obj, roots, deadline, ignore):
    """A path naming `obj` from the nearest root, or None (no root within MAX_DEPTH, or out of time).

    `ignore` holds the ids of the caller's own containers that reference `obj`.
    """
    child_of = {id(obj): None}  # id(referrer) -> the object one step closer to `obj`
    frontier = [obj]
    skip = {id(child_of), id(frontier), *ignore}
    for _ in range(MAX_DEPTH):
        found = [(root, o) for o in frontier for root in (roots.root(o),) if root is not None]
        if found:
            (kind, label), holder = min(found, key=lambda item: (item[0][0], item[0][1]))
            return _spell(holder, kind, label, child_of)
        if time.perf_counter() > deadline:
            return None
        wanted = {id(o) for o in frontier}
        following = []
        skip.add(id(following))
        for referrer in gc.get_referrers(*frontier):
            key = id(referrer)
            if key in child_of or key in skip or isinstance(referrer, types.FrameType):
                continue
            # A full frontier still takes roots: the class behind thousands of instances that all point
            # back (every Logger's .manager) is the name a user wants.
            if len(following) >= MAX_FRONTIER and roots.root(referrer) is None:
                continue
            child = next((k for k in gc.get_referents(referrer) if id(k) in wanted), None)
            if child is None:
                continue
            child_of[key] = child
            following.append(referrer)
        skip.discard(id(frontier))
        frontier = following
        if not frontier:
            return None
    return None


def _spell(root, kind, label, child_of):
    chain = [root]
    while child_of.get(id(chain[-1])) is not None:
        chain.append(child_of[id(chain[-1])])
    if kind in (_PROJECT_MODULE, _MODULE, _PROJECT_CLASS, _CLASS) and len(chain) > 1:
        # The root is a namespace: its first edge is an attribute of the module or class.
        key = _key_of(chain[0], chain[1])
        text = "%s.%s" % (label, key) if _IDENTIFIER.match(str(key)) else "%s[%s]" % (label, _key_text(key))
        chain = chain[1:]
    elif kind == _FUNCTION and len(chain) > 3 and chain[1] is getattr(chain[0], "__closure__", None):
        index = next(i for i, cell in enumerate(chain[1]) if cell is chain[2])
        names = chain[0].__code__.co_freevars
        name = names[index] if index < len(names) else "?"
        text = "<cell %s of %s()>" % (name, chain[0].__qualname__)
        chain = chain[3:]  # from the cell's content on
    elif kind == _LOCAL and isinstance(chain[0], _LOCALS_TYPES) and len(chain) > 1:
        text = _generator_local(chain[0], chain[1])
        chain = chain[1:]
    else:
        text = label
    for parent, child in zip(chain, chain[1:]):
        text = _edge(parent, child, text)
    return _ATTRIBUTE_KEY.sub(r".\1", text)


def _generator_local(generator, value):
    frame = getattr(generator, "cr_frame", None) or getattr(generator, "gi_frame", None)
    frame = frame or getattr(generator, "ag_frame", None)
    name = "?"
    if frame is not None:
        name = next((k for k, v in frame.f_locals.items() if v is value), "?")
    return "<local %s of %s()>" % (name, getattr(generator, "__qualname__", "?"))


def _key_of(mapping, value):
    for key, item in list(mapping.items()):
        if item is value:
            return key
    for key in list(mapping):
        if key is value:
            return "<key>"
    return "?"


def _key_text(key):
    if isinstance(key, str):
        return '"%s"' % (key if len(key) <= 40 else key[:37] + "...")
    text = repr(key)
    return text if len(text) <= 40 else text[:37] + "..."


def _edge(parent, child, text):
    """`text` (the path to `parent`) extended by the edge from `parent` to `child`."""
    if isinstance(parent, dict):
        key = _key_of(parent, child)
        return "%s.<key>" % text if key == "<key>" else "%s[%s]" % (text, _key_text(key))
    if isinstance(parent, (list, tuple)) or type(parent).__name__ == "deque":
        index = next((i for i, item in enumerate(parent) if item is child), "?")
        return "%s[%s]" % (text, index)
    if isinstance(parent, (set, frozenset)):
        return "%s{…}" % text
    if type(parent).__name__ == "_lru_cache_wrapper":
        return "<lru_cache of %s>" % text
    for name in _named_edges(parent):
        try:
            if getattr(parent, name) is child:
                return "%s.%s" % (text, name)
        except Exception:  # noqa: BLE001 - a property that raises is not the edge
            continue
    if isinstance(parent, _LOCALS_TYPES):
        return "%s.%s" % (text, _generator_local(parent, child))
    return "%s.<%s>" % (text, type(child).__name__)


_SPECIAL = {
    types.TracebackType: ("tb_next", "tb_frame"),
    types.FunctionType: ("__defaults__", "__kwdefaults__", "__closure__", "__dict__", "__wrapped__"),
    types.MethodType: ("__self__", "__func__"),
    types.CellType: ("cell_contents",) if hasattr(types, "CellType") else (),
}


def _named_edges(parent):
    if isinstance(parent, BaseException):
        yield from ("__traceback__", "__context__", "__cause__", "args")
    yield from _SPECIAL.get(type(parent), ())
    namespace = getattr(parent, "__dict__", None)
    if isinstance(namespace, dict):
        yield "__dict__"
        yield from [k for k in list(namespace) if isinstance(k, str)]
    for cls in type(parent).__mro__:
        slots = cls.__dict__.get("__slots__", ())
        yield from [slots] if isinstance(slots, str) else list(slots)
