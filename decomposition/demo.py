"""The demo plan's reported figures as the decomposition reads them, for the demo indicator series
(indicators.demo): the extractor's achievements of the plan text, each with its sentence and offset."""

from decimal import Decimal

from decomposition.extractor import extract
from indicators.services import DocumentFigure
from plans.models import Plan


def plan_figures(plan: Plan | None) -> list[DocumentFigure]:
    if plan is None or not plan.source_text:
        return []
    figures = []
    for item in extract(plan.source_text, plan.year).achievements:
        if item.value is None:
            continue
        offset = plan.source_text.find(item.quote)
        figures.append(
            DocumentFigure(
                name=item.indicator,
                unit=item.unit,
                value=Decimal(str(item.value)),
                period=item.period,
                estimate=item.estimate,
                quote=item.quote,
                plan=plan,
                offset=offset if offset >= 0 else None,
            )
        )
    return figures
