"""Runs one pytest test again and again in this interpreter, for a call scenario (issue 16, item 3).

A scenario's call `heapgate_pytest:run_test` with the test's node id (`tests/test_api.py::test_x`) runs
that test once per iteration. pytest collects it once, in a thread of its own that lives as long as the
interpreter; each iteration sets the test up, runs it and tears it down as pytest would, except that the
fixtures of wider scope (class, module, package, session) stay set up between iterations, the way they
do between the tests of one pytest run, and are torn down when the interpreter ends. So what the test's
body and its function-scoped fixtures keep from one run to the next is what the soak measures.

A failing test raises AssertionError with pytest's report; a node id that selects no test, or several,
raises ValueError at the first call.
"""

import atexit
import queue
import threading

_runners = {}
_lock = threading.Lock()


class _Chain:
    """What SetupState.teardown_exact reads of "the next item": the nodes it keeps set up."""

    def __init__(self, nodes):
        self._nodes = nodes

    def listchain(self):
        return list(self._nodes)


def _finalizer_counts(item):
    """How many finalizers each node and fixture of wider scope holds (see _forget_repeats)."""
    nodes = {node: len(entry[0]) for node, entry in item.session._setupstate.stack.items()}
    fixtures = {}
    for definitions in item._fixtureinfo.name2fixturedefs.values():
        for definition in definitions:
            if getattr(definition, "scope", "function") != "function":
                fixtures[definition] = len(definition._finalizers)
    return nodes, fixtures


def _forget_repeats(item, counts):
    """Drops the finalizers an iteration added to the nodes and fixtures that stay set up.

    Each time a test requests a fixture of wider scope, pytest registers one more finalizer for it on the
    node and the fixture that keep it (a thousand tests using one session fixture leave a thousand). The
    first iteration's are enough to tear it down at the end; those of every later iteration would be a
    leak of heapgate's own making, measured as the test's.
    """
    nodes, fixtures = counts
    for node, entry in item.session._setupstate.stack.items():
        if node in nodes:
            del entry[0][nodes[node] :]
    for definition, count in fixtures.items():
        del definition._finalizers[count:]


class _Runner:
    def __init__(self, nodeid, args):
        self.nodeid = nodeid
        self.args = list(args)
        self.requests = queue.Queue()
        self.replies = queue.Queue()
        self.thread = threading.Thread(target=self._main, name="heapgate-pytest", daemon=True)
        self.thread.start()
        ready = self.replies.get()
        if ready is not None:
            raise ValueError(ready)

    def run(self):
        self.requests.put("run")
        failure = self.replies.get()
        if failure:
            raise AssertionError(failure)

    def stop(self):
        if self.thread.is_alive():
            self.requests.put(None)
            self.thread.join(timeout=30)

    def _main(self):
        import pytest
        from _pytest.runner import runtestprotocol

        runner = self
        said = []

        class Loop:
            @pytest.hookimpl(tryfirst=True)
            def pytest_runtestloop(self, session):
                items = session.items
                if len(items) != 1:
                    names = ", ".join(item.nodeid for item in items[:5]) or "none"
                    said.append(True)
                    message = "%s selects %d tests (%s): a pytest scenario runs one test"
                    runner.replies.put(message % (runner.nodeid, len(items), names))
                    return True
                item = items[0]
                keep = _Chain(item.listchain()[:-1])
                said.append(True)
                runner.replies.put(None)
                counts = None
                while runner.requests.get() is not None:
                    reports = runtestprotocol(item, log=False, nextitem=keep)
                    if counts is None:
                        counts = _finalizer_counts(item)
                    else:
                        _forget_repeats(item, counts)
                    failed = [report for report in reports if report.failed]
                    runner.replies.put(failed[0].longreprtext[-4000:] if failed else "")
                    del reports, failed
                session._setupstate.teardown_exact(None)
                return True

        # No capture (the service's output stays its own), no cache folder written into the project, no
        # faulthandler (it wants the main thread's stderr).
        options = ["-q", "-s", "-p", "no:cacheprovider", "-p", "no:faulthandler", "--no-header"]
        try:
            code = pytest.main([self.nodeid, *options, *self.args], plugins=[Loop()])
        except BaseException as error:  # noqa: BLE001 - said to the caller waiting for the first reply
            code = "%s: %s" % (type(error).__name__, error)
        if not said:
            self.replies.put("pytest could not collect %s (exit code %s)" % (self.nodeid, code))


def run_test(nodeid, *pytest_args):
    """Runs the pytest test `nodeid` once; the first call collects it (extra arguments go to pytest)."""
    with _lock:
        runner = _runners.get(nodeid)
        if runner is None:
            try:
                runner = _Runner(nodeid, pytest_args)
            except ValueError as error:
                # Said once: every later call fails the same way without collecting again.
                runner = error
            _runners[nodeid] = runner
    if isinstance(runner, ValueError):
        raise runner
    runner.run()


@atexit.register
def _stop_all():
    for runner in list(_runners.values()):
        if isinstance(runner, _Runner):
            runner.stop()
