#!/usr/bin/env python3
"""A stand-in for the two GitHub REST endpoints the action's comment step uses, for tests/e2e/action.sh.

  fake_github_api.py LOG      serves on 127.0.0.1 (a free port, printed on stdout) until killed

GET /repos/O/R/issues/N/comments lists the comments POSTed so far; POST there adds one (ids from 1);
PATCH /repos/O/R/issues/comments/ID replaces one's body. Every request is appended to LOG as one JSON line:
method, path, authorization, body (the JSON sent, or null).
"""
import json
import re
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

LOG = sys.argv[1]
comments = []


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def record(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        with open(LOG, "a", encoding="utf-8") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "authorization": self.headers.get("Authorization"), "body": body}) + "\n")
        return body

    def reply(self, status, payload):
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self.record()
        if re.match(r"^/repos/[^/]+/[^/]+/issues/\d+/comments(\?.*)?$", self.path):
            self.reply(200, comments)
        else:
            self.reply(404, {"message": "Not Found"})

    def do_POST(self):
        body = self.record()
        if re.match(r"^/repos/[^/]+/[^/]+/issues/\d+/comments$", self.path):
            comments.append({"id": len(comments) + 1, "body": body["body"]})
            self.reply(201, comments[-1])
        else:
            self.reply(404, {"message": "Not Found"})

    def do_PATCH(self):
        body = self.record()
        match = re.match(r"^/repos/[^/]+/[^/]+/issues/comments/(\d+)$", self.path)
        if match and 0 < int(match.group(1)) <= len(comments):
            comments[int(match.group(1)) - 1]["body"] = body["body"]
            self.reply(200, comments[int(match.group(1)) - 1])
        else:
            self.reply(404, {"message": "Not Found"})


server = HTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
