"""What the tracker fakes share: a threaded HTTP server on 127.0.0.1 started and stopped as a
context manager, its root URL, and queued faults (the next N requests answer with a status)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Fault:
    status: int
    times: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


class LocalServer:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.faults: list[Fault] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Any:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def fail(self, status: int, times: int = 1, headers: dict[str, str] | None = None,
             body: Any = None) -> None:  # fmt: skip
        """The next `times` requests answer `status` (with these headers and JSON body)."""
        self.faults.append(Fault(status, times, headers or {}, body))

    def next_fault(self) -> Fault | None:
        with self._lock:
            fault = next((f for f in self.faults if f.times > 0), None)
            if fault:
                fault.times -= 1
        return fault


class QuickHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the real services
    disable_nagle_algorithm = True  # headers and body leave at once, without a 40 ms stall

    def log_message(self, *_: object) -> None:
        pass
