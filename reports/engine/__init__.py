"""The status engine (进度研判): where a task stands on a given day, and how sure we are. Pure: no Django import.

For one task and an as-of date the engine compares the planned trajectory with
the approved progress reports and answers: what should be done by now, what is
done, how far behind, at what pace, when it will finish at that pace, which
status (未启动 / 正常推进 / 进度滞后 / 逾期 / 已完成 / 未报送) and which warning light
(红黄绿灯). Every view can be shown "as of" a past date, so nothing here reads
the clock or any data dated after the as-of date.

The precise rules, with a worked example, are in docs/status-engine.md; the
docstrings say why each rule is the way it is. The parts:

- `vocabulary`: the codes (status, light, reason …), the inputs (`TaskInput`, `Report` …) and `StatusResult`;
- `trajectory`: the planned curve (`Trajectory`, `trajectory`, `planned_on`);
- `status`: `evaluate`, the status engine for one task;
- `rollup`: counts and weighted completion per plan node, unit, leader …;
- `stale`: `detect_stale_reports` (copied narratives, values that never move, reused evidence);
- `periods`: `reporting_periods`, the reporting calendar of one task;
- `investment`: a major project's year as engine inputs (`project_evaluate`: investment trajectory + late stages).

Callers use `from reports import engine` and `engine.<name>`: every public name is re-exported here.
"""

from reports.engine.investment import (
    InvestmentInput,
    ProjectResult,
    StagePlan,
    investment_task,
    late_stages,
    month_end,
    planned_by_month,
    project_evaluate,
    stage_reached,
)
from reports.engine.periods import Cadence, reporting_periods
from reports.engine.rollup import GroupRollup, rollup
from reports.engine.stale import (
    DEFAULT_STALE_RULES,
    ReportSnapshot,
    StaleFlag,
    StaleKind,
    StaleRules,
    detect_stale_reports,
    narrative_similarity,
    normalise_narrative,
    periods_without_movement,
)
from reports.engine.status import applicable_judgement, evaluate
from reports.engine.trajectory import Trajectory, planned_on, trajectory
from reports.engine.vocabulary import (
    DEFAULT_THRESHOLDS,
    JUDGEMENT_LIGHTS,
    LATE_REPORT_REASONS,
    PERCENT_TARGET,
    REASON_LIGHTS,
    Judgement,
    Light,
    Likelihood,
    Milestone,
    Quantity,
    Reason,
    Report,
    ReportingPeriod,
    Status,
    StatusResult,
    TaskInput,
    Thresholds,
)

__all__ = [
    "DEFAULT_STALE_RULES",
    "DEFAULT_THRESHOLDS",
    "JUDGEMENT_LIGHTS",
    "LATE_REPORT_REASONS",
    "PERCENT_TARGET",
    "REASON_LIGHTS",
    "Cadence",
    "GroupRollup",
    "InvestmentInput",
    "ProjectResult",
    "StagePlan",
    "Judgement",
    "Light",
    "Likelihood",
    "Milestone",
    "Quantity",
    "Reason",
    "Report",
    "ReportSnapshot",
    "ReportingPeriod",
    "StaleFlag",
    "StaleKind",
    "StaleRules",
    "Status",
    "StatusResult",
    "TaskInput",
    "Thresholds",
    "Trajectory",
    "applicable_judgement",
    "detect_stale_reports",
    "evaluate",
    "investment_task",
    "late_stages",
    "month_end",
    "planned_by_month",
    "project_evaluate",
    "stage_reached",
    "narrative_similarity",
    "normalise_narrative",
    "periods_without_movement",
    "planned_on",
    "reporting_periods",
    "rollup",
    "trajectory",
]
