#!/usr/bin/env python3
"""Runs one command on a pseudo-terminal, as if typed in a terminal, and answers its prompts.

    pty_drive.py [--timeout S] [--expect TEXT [--send KEYS]]... -- COMMAND [ARG...]

Each --expect waits (at most --timeout seconds, default 60) until TEXT appears in the output after the
previous match, then the --send that follows it is typed (no Enter is added; write \\n for one). Once the
steps are done the output is read to the end. The transcript goes to stdout with what a terminal would
interpret removed (colours, bold by overstrike, carriage returns), so that callers assert plain text;
the exit status is the command's. A step that times out, or output that never ends, prints the transcript
so far, kills the command's process group and exits 124. PTY_DRIVE_DEADLINE (seconds since the epoch)
caps every wait, so a whole suite has a bound too.

The standard library only (pty, select): no pexpect.
"""
import argparse
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

ROWS, COLS = 40, 120


def plain(raw):
    """The text a user reads: no escape sequences, no overstrike, lines ended by \\n only."""
    text = raw.decode("utf-8", errors="replace")
    text = re.sub(r"\x1b\[[0-9;?]*[ -/]*[@-~]", "", text)  # CSI: colours, cursor moves, erase line
    text = re.sub(r"\x1b\][^\x07\x1b]*(\x07|\x1b\\)", "", text)  # OSC: window titles, hyperlinks
    text = re.sub(r".\x08", "", text)  # man's bold and underline by overstrike
    return text.replace("\r\n", "\n").replace("\r", "\n")


class Session:
    def __init__(self, argv, timeout):
        self.timeout = timeout
        self.deadline = float(os.environ.get("PTY_DRIVE_DEADLINE", "0")) or None
        self.raw = b""  # everything read so far
        self.matched = 0  # where the next --expect starts looking (in plain text)
        self.waiting = "the end of the output"
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            try:
                os.execvp(argv[0], argv)
            except OSError as e:
                sys.stderr.write("pty_drive: cannot run %s: %s\n" % (argv[0], e))
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))

    def _until(self):
        end = time.time() + self.timeout
        return min(end, self.deadline) if self.deadline else end

    def _read(self, until):
        """Reads one chunk; False at end of output; raises TimeoutError past `until`."""
        left = until - time.time()
        if left <= 0 or not select.select([self.fd], [], [], left)[0]:
            raise TimeoutError
        try:
            chunk = os.read(self.fd, 4096)
        except OSError:  # EIO: the other side is closed (Linux)
            chunk = b""
        self.raw += chunk
        return bool(chunk)

    def expect(self, token):
        self.waiting = repr(token)
        until = self._until()
        while True:
            text = plain(self.raw)
            at = text.find(token, self.matched)
            if at >= 0:
                self.matched = at + len(token)
                return
            if not self._read(until):
                self.fail("the output ended without %r" % token)

    def send(self, keys):
        os.write(self.fd, keys.encode())

    def finish(self):
        self.waiting = "the end of the output"
        until = self._until()
        while self._read(until):
            pass
        _, status = os.waitpid(self.pid, 0)
        return os.waitstatus_to_exitcode(status)

    def fail(self, why):
        sys.stdout.write(plain(self.raw))
        sys.stdout.flush()
        sys.stderr.write("\npty_drive: %s (command: %s)\n" % (why, " ".join(ARGS.command)))
        try:
            os.killpg(self.pid, signal.SIGKILL)  # pty.fork made the child a session (and group) leader
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        sys.exit(124)


def parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--expect", action="append", default=[], dest="steps", type=lambda t: ("expect", t))
    p.add_argument("--send", action="append", dest="steps", type=lambda k: ("send", k.encode().decode("unicode_escape")))
    p.add_argument("command", nargs="+")
    return p.parse_args()


ARGS = parse()


def main():
    s = Session(ARGS.command, ARGS.timeout)
    try:
        for kind, value in ARGS.steps:
            s.expect(value) if kind == "expect" else s.send(value)
        status = s.finish()
    except TimeoutError:
        s.fail("timed out waiting for %s" % s.waiting)
    sys.stdout.write(plain(s.raw))
    return status


if __name__ == "__main__":
    sys.exit(main())
