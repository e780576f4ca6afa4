"""A TCP proxy in front of MySQL or PostgreSQL that counts round trips and injects faults.

It parses what the client sends into the protocol's messages:

* MySQL: packets of a 3-byte length and a sequence id; a packet with sequence id 0 is a command
  (COM_QUERY, COM_PING, COM_QUIT...), the others belong to the login handshake;
* PostgreSQL: the startup message (and SSL request), which have no type byte, then messages of a
  type byte and a 4-byte length ('Q' simple query, 'P'/'B'/'E'... closed by 'S' sync, 'X' terminate).

A round trip is a new TCP connection or a client message that waits for the server's reply
(every MySQL packet but COM_QUIT; PostgreSQL's startup, SSL request, password, 'Q', 'S' and 'F').

Faults: ``cut()`` drops every forwarded connection, ``cut_before(b"COMMIT")`` drops the
connection instead of forwarding the next message that contains those bytes, ``stop()`` closes
the port (connections are refused) and ``start()`` opens it again. ``delay`` adds latency to every
message, each way.

Run on its own (``python -m bench.proxy PROTOCOL TARGET_PORT DELAY``) it prints its port and
forwards until its standard input closes, so that its threads do not share a GIL with what is
measured.
"""

import contextlib
import socket
import struct
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass

MYSQL_COMMANDS = {0x01: "quit", 0x03: "query", 0x0E: "ping", 0x16: "prepare", 0x17: "execute"}
PG_SPECIAL_REQUESTS = {80877103: "ssl", 80877104: "gssenc", 80877102: "cancel"}
PG_AWAITING_REPLY = {"startup", "ssl", "gssenc", "p", "Q", "S", "F"}
MAX_PACKET = 0xFFFFFF


@dataclass(frozen=True)
class Message:
    """One client-to-server message."""

    connection: int
    kind: str
    text: str
    awaits_reply: bool


class MySQLParser:
    """Splits the client's byte stream into MySQL packets."""

    def __init__(self) -> None:
        self.buffer = b""
        self.continued = False

    def feed(self, data: bytes) -> list[tuple[bytes, str, bytes, bool]]:
        """(raw bytes, kind, payload, awaits reply) of each complete packet in ``data``."""
        self.buffer += data
        packets = []
        while len(self.buffer) >= 4:
            length = int.from_bytes(self.buffer[:3], "little")
            if len(self.buffer) < 4 + length:
                break
            raw, self.buffer = self.buffer[: 4 + length], self.buffer[4 + length :]
            sequence, payload = raw[3], raw[4:]
            if self.continued:
                kind, awaits = "continuation", False
            elif sequence == 0:
                kind = MYSQL_COMMANDS.get(payload[0], "command") if payload else "command"
                awaits = kind != "quit"
            else:
                kind, awaits = "auth", True
            self.continued = length == MAX_PACKET
            packets.append((raw, kind, payload[1:], awaits and not self.continued))
        return packets


class PostgresParser:
    """Splits the client's byte stream into PostgreSQL messages."""

    def __init__(self) -> None:
        self.buffer = b""
        self.starting = True

    def feed(self, data: bytes) -> list[tuple[bytes, str, bytes, bool]]:
        """(raw bytes, kind, payload, awaits reply) of each complete message in ``data``."""
        self.buffer += data
        messages = []
        while True:
            header = 4 if self.starting else 5
            if len(self.buffer) < header:
                break
            length = struct.unpack("!I", self.buffer[header - 4 : header])[0]
            size = length if self.starting else length + 1
            if len(self.buffer) < size:
                break
            raw, self.buffer = self.buffer[:size], self.buffer[size:]
            if self.starting:
                code = struct.unpack("!I", raw[4:8])[0]
                kind = PG_SPECIAL_REQUESTS.get(code, "startup")
                self.starting = kind in ("ssl", "gssenc")  # the real startup message follows
                payload = b""
            else:
                kind, payload = chr(raw[0]), raw[5:]
            messages.append((raw, kind, payload, kind in PG_AWAITING_REPLY))
        return messages


PARSERS = {"mysql": MySQLParser, "postgresql": PostgresParser}


class Proxy:
    """Forwards 127.0.0.1:<port> to the database, counting and delaying messages."""

    def __init__(self, protocol: str, target_port: int, delay: float = 0.0, target_host: str = "127.0.0.1"):
        self.protocol = protocol
        self.target = (target_host, target_port)
        self.delay = delay
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.messages: list[Message] = []
        self.connects = 0
        self._cut_pattern: bytes | None = None
        self._fates: dict[
            socket.socket, str
        ] = {}  # client socket -> "hold" or "reset", for what it sends next
        self._mute = False
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []

    # -- control ---------------------------------------------------------------------------------

    def start(self) -> "Proxy":
        """Accept connections on ``port`` and forward them."""
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=True)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()
        return self

    def stop(self) -> None:
        """Close the port, so that connecting is refused, and cut every forwarded connection."""
        if self._listener is not None:
            _close(self._listener)  # shutdown wakes the thread blocked in accept()
            self._listener = None
        self.cut()

    def cut(self) -> None:
        """Drop every forwarded connection, as a network failure or a failover would."""
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            _close(sock)

    def hold(self) -> None:
        """Black-hole the open connections: what the client sends next is never answered."""
        self._doom("hold")

    def drop_silently(self) -> None:
        """Forget the open connections, as a NAT would: the client learns only when it next sends (RST)."""
        self._doom("reset")

    def mute(self, muted: bool = True) -> None:
        """Accept new connections but never answer them, as a server that hangs would."""
        self._mute = muted

    def _doom(self, fate: str) -> None:
        with self._lock:
            self._fates |= dict.fromkeys(self._sockets, fate)

    def cut_before(self, pattern: bytes) -> None:
        """Drop the connection that next sends a message containing ``pattern``, unsent."""
        self._cut_pattern = pattern

    def reset(self) -> None:
        """Forget the messages and connections counted so far."""
        with self._lock:
            self.messages = []
            self.connects = 0

    # -- figures ---------------------------------------------------------------------------------

    def round_trips(self) -> int:
        """New connections plus client messages that waited for a reply, since ``reset``."""
        with self._lock:
            return self.connects + sum(message.awaits_reply for message in self.messages)

    def kinds(self) -> Counter[str]:
        """How many messages of each kind were sent, since ``reset``."""
        with self._lock:
            return Counter(message.kind for message in self.messages if message.awaits_reply)

    def __enter__(self) -> "Proxy":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- forwarding ------------------------------------------------------------------------------

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            self._open(client)

    def _open(self, client: socket.socket) -> None:
        """Connect ``client`` to the database and forward both ways, counting what the client sends."""
        if self._mute:
            with self._lock:
                self._sockets.append(client)
            return
        try:
            upstream = socket.create_connection(self.target)
        except OSError:
            _close(client)
            return
        for sock in (client, upstream):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self.connects += 1
            number = self.connects
            self._sockets += [client, upstream]
        threading.Thread(target=self._forward_client, args=(client, upstream, number), daemon=True).start()
        threading.Thread(target=self._forward_raw, args=(upstream, client), daemon=True).start()

    def _forward_client(self, client: socket.socket, upstream: socket.socket, number: int) -> None:
        parser = PARSERS[self.protocol]()
        try:
            while data := client.recv(65536):
                arrived = time.perf_counter()
                fate = self._fates.get(client)
                if fate == "hold":
                    continue
                if fate == "reset":
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    return  # closing with a zero linger sends RST
                outgoing = []
                for raw, kind, payload, awaits in parser.feed(data):
                    if self._cut_pattern is not None and self._cut_pattern in payload:
                        self._cut_pattern = None
                        return  # the finally clause drops both sides
                    text = payload[:80].replace(b"\x00", b" ").decode("utf-8", "replace")
                    with self._lock:
                        self.messages.append(Message(number, kind, text, awaits))
                    outgoing.append(raw)
                if outgoing:
                    self._wait(arrived)
                    upstream.sendall(b"".join(outgoing))
        except OSError:
            pass
        finally:
            _close(client)
            _close(upstream)

    def _forward_raw(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                self._wait(time.perf_counter())
                sink.sendall(data)
        except OSError:
            pass
        finally:
            _close(source)
            _close(sink)

    def _wait(self, arrived: float) -> None:
        if self.delay:
            remaining = arrived + self.delay - time.perf_counter()
            if remaining > 0:
                time.sleep(remaining)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def main(protocol: str, target_port: str, delay: str) -> None:
    """Forward until standard input closes, having printed the port to connect to."""
    proxy = Proxy(protocol, int(target_port), float(delay)).start()
    print(proxy.port, flush=True)
    sys.stdin.read()
    proxy.stop()


if __name__ == "__main__":
    main(*sys.argv[1:])
