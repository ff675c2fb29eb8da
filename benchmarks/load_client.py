"""A light HTTP/1.1 load generator: one asyncio loop, raw sockets, cookies, keep-alive.

The machine under test has 2 cores and the generator runs on them too, so it must cost
far less CPU per request than the server it measures: no HTTP library, no thread per
client. Each simulated user holds one connection, reused while the server keeps it open
(gthread workers) and reopened when the server closes it (sync workers), and its own
cookies. A request's time runs from before any connect to the last byte of the body, so
it includes the wait in the server's accept queue.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode


class HttpError(Exception):
    pass


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        return next((v for k, v in self.headers if k == name), None)

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Client:
    """One simulated browser: a connection, its cookies and whatever the scenario keeps."""

    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    state: dict = field(default_factory=dict)
    _reader: asyncio.StreamReader | None = None
    _writer: asyncio.StreamWriter | None = None
    connects: int = 0

    async def request(self, method: str, path: str, form: dict | None = None) -> Response:
        body = urlencode(form or {}, doseq=True).encode() if method == "POST" else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}",
                 "User-Agent: audit-service-bench", "Accept: text/html"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if method == "POST":
            lines += ["Content-Type: application/x-www-form-urlencoded",
                      f"Content-Length: {len(body)}"]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        reused = self._writer is not None
        try:
            return await self._exchange(raw)
        except (ConnectionError, asyncio.IncompleteReadError, HttpError):
            self.close()
            if not reused:
                raise
        # The server closed an idle kept-alive connection before reading this request.
        return await self._exchange(raw)

    async def _exchange(self, raw: bytes) -> Response:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
            self.connects += 1
        self._writer.write(raw)
        reader = self._reader
        status_line = await reader.readline()
        if not status_line:
            raise HttpError("connection closed before a response")
        version, status, _ = status_line.decode("latin-1").split(" ", 2)
        headers = []
        while True:
            line = await reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            headers.append((name.strip().lower(), value.strip()))
        response = Response(int(status), headers, b"")
        length = response.header("content-length")
        if length is not None:
            response.body = await reader.readexactly(int(length))
        elif (response.header("transfer-encoding") or "").lower() == "chunked":
            response.body = await _read_chunked(reader)
        else:
            response.body = await reader.read()
        self._remember_cookies(response)
        if version == "HTTP/1.0" or (response.header("connection") or "").lower() == "close" \
                or (length is None and response.header("transfer-encoding") is None):
            self.close()
        return response

    def _remember_cookies(self, response: Response) -> None:
        for name, value in response.headers:
            if name != "set-cookie":
                continue
            pair, _, attributes = value.partition(";")
            key, _, cookie = pair.strip().partition("=")
            attributes = attributes.lower()
            if not cookie or "max-age=0" in attributes or "1970" in attributes:
                self.cookies.pop(key, None)
            else:
                self.cookies[key] = cookie

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts = []
    while True:
        size = int((await reader.readline()).split(b";")[0], 16)
        if size == 0:
            await reader.readline()
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readline()


@dataclass
class Phase:
    """What one bounded load run measured, seen from the clients."""

    latencies: list[float]
    failures: int
    seconds: float
    failure_examples: list[str]

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


# A step makes one request for its client and says whether the answer was the expected one
# (returning a short description of what went wrong otherwise).
Step = Callable[[Client, int], Awaitable[str | None]]


async def run_phase(clients: Sequence[Client], step: Step, *, requests_per_client: int,
                    max_seconds: float) -> Phase:
    """Every client makes up to ``requests_per_client`` requests back to back, all at once,
    stopping early at ``max_seconds``. Throughput counts answered-as-expected requests."""
    latencies: list[float] = []
    failures: list[str] = []
    started = time.perf_counter()
    deadline = started + max_seconds

    async def loop(client: Client) -> None:
        for number in range(requests_per_client):
            if time.perf_counter() > deadline:
                return
            before = time.perf_counter()
            try:
                problem = await step(client, number)
            except (OSError, asyncio.IncompleteReadError, HttpError) as exc:
                client.close()
                problem = f"{type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - before
            if problem is None:
                latencies.append(elapsed)
            else:
                failures.append(problem)

    await asyncio.gather(*(loop(client) for client in clients))
    seconds = time.perf_counter() - started
    return Phase(latencies, len(failures), seconds, failures[:5])
