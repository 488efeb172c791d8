"""The anchor file: chain heads appended outside the database. Plain file I/O, no Django."""

import os

from audit.chain import Anchor, parse_anchors


def append_anchor(path: str, anchor: Anchor) -> None:
    """Append one line with O_APPEND (never rewrite the file), flushed to disk before returning.

    One write() of one short line: concurrent writers (cron and the sweep) never interleave.
    """
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, (anchor.line() + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def read_anchors(path: str) -> list[Anchor] | None:
    """The anchors in the file, oldest first; None when there is no file yet."""
    try:
        with open(path, encoding="utf-8") as f:
            return parse_anchors(f.read())
    except FileNotFoundError:
        return None
