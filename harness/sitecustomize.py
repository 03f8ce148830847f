"""heapgate's start-up hook: installs the shim, then runs the sitecustomize this one shadows.

heapgate puts its private harness folder first on PYTHONPATH, so this module is found before any other
``sitecustomize`` (Debian's interpreter ships one, an apport hook). After installing the shim it looks up the
next ``sitecustomize`` on sys.path and executes it, as coverage.py and ddtrace-run do, so the service starts
exactly as it would without heapgate.
"""

import os
import sys


def _chain_next_sitecustomize():
    import importlib.machinery
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # noqa: BLE001 - as Python itself does for a broken sitecustomize
        sys.stderr.write("Error in sitecustomize (%s):\n%r\n" % (spec.origin, error))


try:
    import heapgate_shim

    heapgate_shim.install()
except Exception as error:  # noqa: BLE001 - never keep the service from starting
    sys.stderr.write("heapgate: the shim failed to start: %r\n" % (error,))

_chain_next_sitecustomize()
