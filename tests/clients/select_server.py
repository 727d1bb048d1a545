"""A canned-response HTTP server for the event-stream check of run.sh.

    python select_server.py RESPONSE_FILE REQUESTS_DIR

Answers every request with the raw HTTP/1.1 response in RESPONSE_FILE
(written by `cargo run -p s3-api --example wire -- render-response
SelectObjectContent …`: status line, headers, blank line, the event-stream
body as is), and saves each request it receives as REQUESTS_DIR/N.http
(request line, headers, blank line, body), for `wire parse-request`.
Prints `listening on HOST:PORT`, and stops after 60 idle seconds.
"""

import os
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer


def load_response(path):
    raw = open(path, "rb").read()
    head, body = raw.split(b"\n\n", 1)
    lines = head.decode("latin-1").split("\n")
    status = int(lines[0].split(" ")[1])
    headers = [tuple(line.split(": ", 1)) for line in lines[1:] if line]
    return status, headers, body


def main():
    response_path, requests_dir = sys.argv[1], sys.argv[2]
    status, headers, body = load_response(response_path)
    os.makedirs(requests_dir, exist_ok=True)
    count = [0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_any(self):
            length = int(self.headers.get("content-length") or 0)
            request_body = self.rfile.read(length)
            count[0] += 1
            lines = [f"{self.command} {self.path} HTTP/1.1"]
            lines += [f"{k.lower()}: {v}" for k, v in self.headers.items()]
            raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request_body
            with open(os.path.join(requests_dir, f"{count[0]}.http"), "wb") as f:
                f.write(raw)
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_any

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.timeout = 60
    host, port = server.server_address
    print(f"listening on {host}:{port}", flush=True)
    # handle_request returns after one request or after the idle timeout.
    while True:
        before = count[0]
        server.handle_request()
        if count[0] == before:
            break


if __name__ == "__main__":
    main()
