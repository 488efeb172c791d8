"""Access-matrix rows for the wall screen (merged by core/tests/test_access_matrix.py).

/cockpit/wall/ is the cockpit on the command hall's wall: office and leaders (business.read_all),
and the kiosk account, which reaches nothing else.
"""

WALL = {"office", "leader", "leader_cj", "kiosk"}

PAGES = {
    "workbench:wall": (WALL, None, "", {}),
    "workbench:wall_data": (WALL, None, "", {}),
}
