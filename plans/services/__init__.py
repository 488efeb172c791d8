"""Writes on plans, plan nodes, tasks, milestones and change requests. Keyword-only, atomic, audited.

The parts: `nodes` (plans, the node tree, tags), `tasks` (tasks and milestones, versioned),
`change_requests` (rebaselining), `ledger_import` (the 任务分解表 in bulk); `access` holds the
permission check they share. Callers use `from plans import services` and `services.<name>`:
every public service is re-exported here.
"""

from plans.services.change_requests import change_request_create, change_request_decide
from plans.services.ledger_import import ImportOutcome, ledger_import, ledger_vocabulary
from plans.services.nodes import (
    node_add,
    node_delete,
    node_move,
    node_update,
    plan_create,
    plan_settings,
    plan_update,
    tag_save,
)
from plans.services.tasks import (
    TaskData,
    VersionConflict,
    task_bind_measure,
    task_create,
    task_dates_error,
    task_delete,
    task_move,
    task_snapshot,
    task_update,
)

__all__ = [
    "ImportOutcome",
    "TaskData",
    "VersionConflict",
    "change_request_create",
    "change_request_decide",
    "ledger_import",
    "ledger_vocabulary",
    "node_add",
    "node_delete",
    "node_move",
    "node_update",
    "plan_create",
    "plan_settings",
    "plan_update",
    "tag_save",
    "task_bind_measure",
    "task_create",
    "task_dates_error",
    "task_delete",
    "task_move",
    "task_snapshot",
    "task_update",
]
