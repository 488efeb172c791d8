from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = _("Audit")

    def ready(self) -> None:
        post_migrate.connect(_create_chain_heads, sender=self)


def _create_chain_heads(*, using: str, plan=None, **kwargs) -> None:
    """After `migrate` (and a test flush), the heads of all AUDIT_CHAINS chains exist and are committed,
    so the first writers never wait on each other's uncommitted head rows (audit/services.py)."""
    from django.db import connections

    from audit.models import AuditChainHead
    from audit.services import audit_chain_heads_ensure

    with connections[using].cursor() as cursor:
        if AuditChainHead._meta.db_table not in connections[using].introspection.table_names(cursor):
            return  # migrated back below the audit tables
    audit_chain_heads_ensure(using=using)
