"""Stale or copied reports (应付式报送): flags stored on the report when it is approved (SPEC §8)."""

from collections.abc import Hashable
from typing import cast

from reports import engine
from reports.models import EvidenceFile, ProgressReport


def _task_id(task_key: Hashable) -> int:
    # Snapshots key reports by (task id, unit id) (_snapshot below); the engine keeps keys opaque.
    return cast(tuple[int, int], task_key)[0]


def _snapshot(report: ProgressReport, hashes: frozenset[str]) -> engine.ReportSnapshot:
    return engine.ReportSnapshot(
        task_key=(report.task_id, report.unit_id),
        period_end=report.period_end,
        narrative=report.narrative,
        value=float(report.value) if report.value is not None else None,
        evidence_hashes=hashes,
        report_key=report.pk,
    )


def report_flag_stale(*, report: ProgressReport) -> list[dict]:
    """Compare the report with the same unit's earlier reports on the task and with evidence anywhere.

    Stored as JSON on the report ({kind, earlier_period_end, similarity, …}) for the head, the office
    and the report pages. A verified task is not checked: its value is meant to stay put.
    """
    if report.task.verified_on is not None:
        return []
    history = list(
        ProgressReport.objects.filter(task_id=report.task_id, unit_id=report.unit_id, period_end__lte=report.period_end)
        .exclude(state=ProgressReport.State.DRAFT)
        .order_by("period_end")
        .only("task_id", "unit_id", "period_end", "narrative", "value")
    )
    # No query when a submission has just stored the report's files (it leaves them prefetched).
    own_hashes = {e.sha256 for e in report.evidence.all()}
    hashes: dict[int, set[str]] = {r.pk: set() for r in history}
    if own_hashes:
        # Only this report's own files can be flagged as reused: without any, earlier files do not matter.
        for report_id, digest in EvidenceFile.objects.filter(report__in=history).values_list("report_id", "sha256"):
            hashes[report_id].add(digest)
    snapshots = [_snapshot(r, frozenset(hashes[r.pk])) for r in history]
    # The same file on another task's report (any unit) also counts as reuse.
    elsewhere = (
        EvidenceFile.objects.filter(sha256__in=own_hashes)
        .exclude(report__task_id=report.task_id, report__unit_id=report.unit_id)
        .select_related("report")
        if own_hashes
        else ()
    )
    for evidence in elsewhere:
        other = evidence.report
        snapshots.append(
            engine.ReportSnapshot(
                task_key=(other.task_id, other.unit_id),
                period_end=other.period_end,
                evidence_hashes=frozenset({evidence.sha256}),
                report_key=other.pk,
            )
        )
    flags = [
        {
            "kind": f.kind.value,
            "earlier_report": f"{_task_id(f.earlier_task_key)}:{f.earlier_period_end.isoformat()}",
            "earlier_period_end": f.earlier_period_end.isoformat(),
            "similarity": round(f.similarity, 2) if f.similarity is not None else None,
            "unchanged_periods": f.unchanged_periods,
            "evidence_hash": f.evidence_hash,
        }
        for f in engine.detect_stale_reports(snapshots)
        if f.report_key == report.pk
    ]
    if flags != report.stale_flags:
        report.stale_flags = flags
        report.save(update_fields=["stale_flags"])
    return flags
