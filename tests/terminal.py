"""Drive a command through a real pseudo-terminal, as a person at a keyboard would."""

from __future__ import annotations

import fcntl
import os
import re
import select
import struct
import subprocess
import termios
import time

# seconds to wait for the program: generous, since a loaded machine (two test processes,
# CI beside other work) can take many times longer than an idle one; a passing test
# never waits this long
PATIENCE = 120.0


ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


class Terminal:
    """A child process on a pty of a given size; `expect` reads until a pattern shows."""

    def __init__(
        self,
        args: list[str],
        *,
        columns: int = 100,
        rows: int = 50,
        env: dict[str, str] | None = None,
        cwd: str | None = None,
    ) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        environment = {
            **os.environ,
            "NO_COLOR": "1",
            "TERM": "xterm-256color",
            "COLUMNS": str(columns),
            "LINES": str(rows),
            **(env or {}),
        }
        self.process = subprocess.Popen(
            args,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=environment,
            cwd=cwd,
            close_fds=True,
            start_new_session=True,
        )
        os.close(slave)
        self.master = master
        self.screen = ""  # everything written so far
        self.position = 0  # how far `expect` has consumed

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:  # the child closed the terminal
            return False
        if not chunk:
            return False
        text = chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        self.screen += ANSI.sub("", text)
        return True

    def expect(self, pattern: str, timeout: float = PATIENCE) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        regex = re.compile(pattern, re.S)
        while True:
            match = regex.search(self.screen, self.position)
            if match:
                self.position = match.end()
                return match
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (
                not self._read(min(remaining, 0.5))
                and self.process.poll() is not None
                and not self._read(0.1)
            ):
                raise AssertionError(
                    f"did not see {pattern!r}; screen ends with:\n{self.screen[-2500:]}"
                )

    def send(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode())

    def wait(self, timeout: float = PATIENCE) -> int:
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self._read(0.2)
        while self._read(0.1):
            pass
        return self.process.wait(timeout=1)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        os.close(self.master)
