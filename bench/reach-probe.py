"""The reach probe's cost per request: a Flask view called through its test client, with and without the
shim's profile hook (harness/heapgate_reach.py) counting two functions of interest. Prints figures."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))

import heapgate_reach  # noqa: E402
from flask import Flask  # noqa: E402

app = Flask(__name__)
STORE = {}


def remember(key):
    STORE[key] = key
    return key


@app.route("/items/<key>")
def item(key):
    return {"key": remember(key)}


def per_request(client, n, start=None):
    began = time.perf_counter()
    for i in range(n):
        if start is not None:
            heapgate_reach.mark()
        client.get("/items/%d" % i)
    return (time.perf_counter() - began) / n


def main():
    client = app.test_client()
    per_request(client, 500)  # warm up
    here = os.path.abspath(__file__)
    functions = [
        {"id": name, "file": here, "lines": [line, line]}
        for name, line in (("item", item.__code__.co_firstlineno), ("remember", remember.__code__.co_firstlineno))
    ]
    n = 3000
    plain = min(per_request(client, n) for _ in range(3))
    probed = []
    for _ in range(3):
        heapgate_reach.start(functions)
        probed.append(per_request(client, n, start=True))
        counts = heapgate_reach.stop()["counts"]
    probed_best = min(probed)
    print("  plain  %.1f us/request" % (plain * 1e6))
    print(
        "  probed %.1f us/request (+%.1f us, %.2fx); counted %s of %d iterations"
        % (probed_best * 1e6, (probed_best - plain) * 1e6, probed_best / plain, counts, n)
    )


if __name__ == "__main__":
    main()
