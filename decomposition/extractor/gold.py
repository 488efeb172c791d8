"""Serialise a proposal in the gold-file schema (seed/erqi-2021-plan.gold.json) for scoring and export."""

from __future__ import annotations

from typing import Any

from .models import Achievement, Commitment, Milestone, Proposal


def proposal_to_gold_dict(proposal: Proposal) -> dict[str, Any]:
    """The proposal as a JSON-ready dict with the gold file's keys, in the gold file's order.

    Two keys follow the scored lists and leave them unchanged: ``milestones`` (qualitative dated
    commitments) and ``areas`` (every heading path, outermost first, in document order).
    """
    return {
        "plan_year": proposal.plan_year,
        "commitments": [_commitment(item) for item in proposal.commitments],
        "achievements": [_achievement(item) for item in proposal.achievements],
        "milestones": [_milestone(item) for item in proposal.milestones],
        "areas": [list(path) for path in proposal.areas],
    }


def _milestone(item: Milestone) -> dict[str, Any]:
    return {
        "quote": item.quote,
        "title": item.title,
        "deadline": item.deadline.isoformat(),
        "modality": item.modality,
        "area": item.area,
        "areas": list(item.areas),
    }


def _commitment(item: Commitment) -> dict[str, Any]:
    return {
        "quote": item.quote,
        "target_value": item.target_value,
        "unit": item.unit,
        "object": item.object,
        "deadline": item.deadline.isoformat(),
        "modality": item.modality,
        "area": item.area,
    }


def _achievement(item: Achievement) -> dict[str, Any]:
    return {
        "quote": item.quote,
        "indicator": item.indicator,
        "value": item.value,
        "unit": item.unit,
        "period": item.period,
        "estimate": item.estimate,
    }
