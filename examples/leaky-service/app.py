"""A small order service with the leaks heapgate exists to catch. Standard library only.

Run it:  PORT=8000 python3 app.py
"""

import functools
import json
import logging
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

log = logging.getLogger("orders")

# Every order ever seen, keyed by id: grows by one entry per request and is never trimmed.
ORDERS_BY_ID = {}
RECENT_EVENTS = []


@functools.lru_cache(maxsize=None)
def price_for(sku, quantity):
    return round(len(sku) * 1.25 * quantity, 2)


def audit(event):
    # A new handler per call: each request adds one more, and every log line is written N times.
    handler = logging.StreamHandler()
    log.addHandler(handler)
    log.info("audit %s", event)


def notify_async(order):
    worker = threading.Thread(target=lambda: None, name=f"notify-{order['id']}")
    worker.start()


def load_catalog(path, skus=[]):
    with open(path) as f:
        for line in f.read().splitlines():
            skus.append(line.strip())
    return skus


class OrderHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/health":
            return self._reply(200, {"ok": True})
        order_id = self.path.rsplit("/", 1)[-1]
        order = {"id": order_id, "price": price_for(order_id, 1)}
        ORDERS_BY_ID[order_id] = order
        RECENT_EVENTS.append(("viewed", order_id))
        self._reply(200, order)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        order = json.loads(self.rfile.read(length) or b"{}")
        audit(order)
        notify_async(order)
        self._reply(201, order)

    def _reply(self, status, body):
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "8000"))), OrderHandler)
    server.serve_forever()
