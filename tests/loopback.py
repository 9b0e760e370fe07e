"""A real HTTP server on 127.0.0.1 for tests: routes answer with a status, body, headers and delay, or drop."""

from __future__ import annotations

import socket
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default listen backlog (5) drops concurrent connects, which then wait out a one-second SYN retry.
    request_queue_size = 256


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False
    content_type: str = "text/html; charset=utf-8"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Handler = Callable[[Seen], Reply]


class LoopbackServer:
    """Routes map a path (without query) to a list of replies served in turn (the last one repeats)."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Reply] | Handler] = {}
        self.requests: list[Seen] = []
        self.hits: dict[str, int] = defaultdict(int)
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str, *replies: Reply | Handler) -> None:
        if len(replies) == 1 and callable(replies[0]):
            self.routes[path] = replies[0]
        else:
            self.routes[path] = list(replies)  # type: ignore[arg-type]

    def start(self) -> LoopbackServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _reply_for(self, seen: Seen) -> Reply:
        path = urlsplit(seen.path).path
        with self._lock:
            self.requests.append(seen)
            index = self.hits[path]
            self.hits[path] += 1
        route = self.routes.get(path)
        if route is None:
            return Reply(status=404, body=b"not found")
        if callable(route):
            return route(seen)
        return route[min(index, len(route) - 1)]

    def _enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def _leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen = Seen(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                reply = server._reply_for(seen)
                server._enter()
                try:
                    self._answer(reply)
                finally:
                    server._leave()

            def _answer(self, reply: Reply) -> None:
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.drop:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                payload = reply.body.encode() if isinstance(reply.body, str) else reply.body
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(payload)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

        return _Handler


class LoopbackProxy:
    """A forward HTTP proxy on 127.0.0.1 that relays absolute-URI requests; it can be told to fail.

    `fail_with` answers every request with that status; `reply` answers every request with that `Reply` instead
    of relaying (a captcha page from a burnt exit IP, a delay beyond the client's timeout, a dropped connection).
    `relayed` lists every request's URL either way.
    """

    def __init__(self) -> None:
        self.relayed: list[str] = []
        self.fail_with: int | None = None
        self.reply: Reply | None = None
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LoopbackProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                import urllib.error
                import urllib.request

                proxy.relayed.append(self.path)
                if proxy.fail_with is not None:
                    self._send(proxy.fail_with, b"proxy failure")
                    return
                if proxy.reply is not None:
                    self._answer(proxy.reply)
                    return
                request = urllib.request.Request(self.path, headers={"User-Agent": self.headers.get("User-Agent", "")})
                try:
                    with urllib.request.urlopen(request, timeout=5) as upstream:
                        self._send(upstream.status, upstream.read())
                except urllib.error.HTTPError as exc:
                    self._send(exc.code, exc.read())

            def _answer(self, reply: Reply) -> None:
                time.sleep(reply.delay)
                if reply.drop:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                self._send(reply.status, reply.body.encode() if isinstance(reply.body, str) else reply.body)

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Content-Type", "text/html")
                self.end_headers()
                self.wfile.write(body)

        return _Handler
