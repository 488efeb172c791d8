"""Writes on major projects: register, monthly reports (月报), problems (问题清单), coordination meetings (调度会).

Keyword-only, atomic, audited. Monthly reports follow the progress report's life cycle: the lead unit's
reporter drafts and submits, its head approves or returns; only approved reports count. A package split
along its seams; the public names are re-exported here, so callers write `services.<name>`.
"""

from projects.services.problems import (
    DecisionFields,
    meeting_record,
    parse_decision_lines,
    problem_raise,
    problem_resolve,
    problems_escalate,
)
from projects.services.register import ProjectFields, project_create, project_save, project_type_save, project_update
from projects.services.reports import (
    MAX_PHOTOS_PER_REQUEST,
    month_end_of,
    report_approve,
    report_file,
    report_return,
    report_save,
    report_start,
)

__all__ = [
    "MAX_PHOTOS_PER_REQUEST",
    "DecisionFields",
    "ProjectFields",
    "meeting_record",
    "month_end_of",
    "parse_decision_lines",
    "problem_raise",
    "problem_resolve",
    "problems_escalate",
    "project_create",
    "project_save",
    "project_type_save",
    "project_update",
    "report_approve",
    "report_file",
    "report_return",
    "report_save",
    "report_start",
]
