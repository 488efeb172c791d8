"""Materialised tree paths (django-treebeard's MP_Node): `0001` is a root, `00010003` its third child.

Pure: no Django import. Every ancestor lookup slices a path here, so the step length lives in one place.
"""

from collections.abc import Container

STEPLEN = 4  # PlanNode.steplen: the characters one tree level adds to a path


def ancestor_paths(path: str) -> list[str]:
    """The paths above `path`, root first (a root has none)."""
    return [path[:end] for end in range(STEPLEN, len(path), STEPLEN)]


def lineage(path: str) -> list[str]:
    """The ancestors' paths, root first, then `path` itself."""
    return [*ancestor_paths(path), path]


def parent_path(path: str) -> str:
    """The parent's path ("" for a root)."""
    return path[:-STEPLEN]


def nearest(path: str, wanted: Container[str]) -> str | None:
    """The closest ancestor of `path` (not itself) whose path is in `wanted` (a set or dict), or None."""
    for above in reversed(ancestor_paths(path)):
        if above in wanted:
            return above
    return None
