"""The anchor file: chain heads appended outside the database. Plain file I/O, no Django."""

import os
from collections.abc import Sequence

from audit.chain import Anchor, parse_anchors


def append_anchor(path: str, anchor: Anchor) -> None:
    append_anchors(path, [anchor])


def append_anchors(path: str, anchors: Sequence[Anchor]) -> None:
    """Append one line per anchor with O_APPEND (never rewrite the file), flushed to disk before returning.

    One write() of a few short lines (one per chain): concurrent writers (cron and the sweep) never
    interleave.
    """
    if not anchors:
        return
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        os.write(fd, "".join(anchor.line() + "\n" for anchor in anchors).encode())
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
