from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from core.jobs import register_job
        from evaluation import jobs

        register_job(jobs.ISSUE, run=jobs.bulletin_issue_job, allowed=jobs.may_issue)
        register_job(jobs.DRAFT, run=jobs.bulletin_draft_job, allowed=jobs.may_issue)
