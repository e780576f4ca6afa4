"""A TCP proxy in front of the database, to take it away and bring it back, or lose one of its answers."""

import contextlib
import socket
import threading
from collections.abc import Callable


class Proxy:
    """Forwards 127.0.0.1:<port> to the database; ``stop`` makes the database unreachable."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lost_reply_to: bytes | None = None

    def start(self) -> None:
        """Accept connections on ``port`` and forward them."""
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=True)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        """Stop listening and cut every forwarded connection."""
        if self._listener is not None:
            _close(self._listener)  # shutdown wakes the thread blocked in accept()
            self._listener = None
        for sock in self._sockets:
            _close(sock)
        self._sockets.clear()

    def lose_reply_to(self, request: bytes) -> None:
        """Cut the next connection that sends ``request`` (a COMMIT) when the server answers it.

        The server has done what was asked; the client never learns it.
        """
        self._lost_reply_to = request

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self._sockets += [client, upstream]
            doomed = threading.Event()  # set when the client sends the request whose reply is lost
            requests, replies = self._requests(doomed), _replies(doomed)
            threading.Thread(target=_pipe, args=(client, upstream, requests), daemon=True).start()
            threading.Thread(target=_pipe, args=(upstream, client, replies), daemon=True).start()

    def _requests(self, doomed: threading.Event) -> Callable[[bytes], bool]:
        """Whether to pass on what a client sends: always, noting the request whose reply is lost."""

        def forward(data: bytes) -> bool:
            if self._lost_reply_to is not None and self._lost_reply_to in data:
                self._lost_reply_to = None
                doomed.set()
            return True

        return forward


def _replies(doomed: threading.Event) -> Callable[[bytes], bool]:
    """Whether to pass on what the server answers: not once the connection is doomed."""
    return lambda data: not doomed.is_set()


def _pipe(source: socket.socket, sink: socket.socket, forward: Callable[[bytes], bool]) -> None:
    """Pass on what ``source`` sends while ``forward`` says so; then close both."""
    try:
        while (data := source.recv(65536)) and forward(data):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _close(source)
        _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
