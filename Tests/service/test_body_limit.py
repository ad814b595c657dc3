"""A request whose Content-Length is above the body limit is answered 413 from its head, at once: it waited for the
request timeout (30 s) for body bytes that never came (task hleft). Raw sockets, since HTTP clients send the body
they declare. No timing: the socket's timeout (well under the request timeout) only guards against a hang."""
import json
import socket

GUARD = 10  # seconds; the request timeout is 30


def exchange(server, head, body=b""):
    """Sends `head` and `body`; the answer's status, headers and body (read up to its Content-Length)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=GUARD) as connection:
        connection.sendall(head.encode() + body)
        received = b""
        while True:
            if b"\r\n\r\n" in received:
                status, headers, rest = parse(received)
                if len(rest) >= int(headers.get("content-length", "0")):
                    return status, headers, rest
            try:
                chunk = connection.recv(65536)
            except socket.timeout:
                raise AssertionError(f"no complete answer after {GUARD} s: {received!r}")
            assert chunk, f"the connection closed before a complete answer: {received!r}"
            received += chunk


def parse(answer):
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def test_declared_length_above_the_limit_is_413_at_once(server):
    cases = [
        # /v1/events: 4 MiB; the client declares 10 MB and sends 20 bytes.
        ("POST", "/v1/events", server.keys["server"], 10_000_000, "native"),
        # OFREP: 64 KiB.
        ("POST", "/ofrep/v1/evaluate/flags", server.keys["client"], 100_000, "ofrep"),
    ]
    for method, path, key, declared, api in cases:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {declared}\r\n\r\n"
        )
        status, headers, body = exchange(server, head, b'{"events": [{"id": ')
        assert status == 413, (path, status, body)
        # The rest of the declared body is not read: the connection cannot carry another request.
        assert headers.get("connection") == "close", headers
        length = int(headers["content-length"])
        answer = json.loads(body[:length])
        if api == "native":
            assert answer["error"]["code"] == "body_too_large", answer
            message = answer["error"]["message"]
        else:
            message = answer["errorDetails"]
        assert "exceeds" in message and f"Content-Length: {declared}" in message, message
    # The server still answers.
    status, _, _ = exchange(server, "GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert status == 200
