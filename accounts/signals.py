"""Audit events for logins, failed logins and logouts (Django's auth signals)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.services import audit_record
from core.middleware import client_ip


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    audit_record(actor=user, verb="auth.login", obj=user, ip=client_ip(request))


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, verb="auth.logout", obj=user, ip=client_ip(request))


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=None,
        actor_username=username,
        verb="auth.login_failed",
        object_type="accounts.user",
        object_repr=username,
        ip=client_ip(request),
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    audit_record(
        actor=None,
        actor_username=str(username or "")[:150],
        verb="auth.lockout",
        object_type="accounts.user",
        object_repr=str(username or ""),
        after={"failures": getattr(request, "axes_failures_since_start", None)},
        ip=ip_address or client_ip(request),
    )
