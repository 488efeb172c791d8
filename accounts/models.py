import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.roles import Perm, Role, perms_for
from core.collation import pinyin_key

ROLE_LABELS = {
    Role.OFFICE: _("Supervision office"),
    Role.LEADER: _("Leader"),
    Role.UNIT_HEAD: _("Unit head"),
    Role.UNIT_REPORTER: _("Unit reporter"),
    Role.SYSTEM_ADMIN: _("System admin"),
    Role.SECURITY_ADMIN: _("Security admin"),
    Role.AUDIT_ADMIN: _("Audit admin"),
    Role.KIOSK: _("Wall screen (kiosk)"),
}
ROLE_CHOICES = [(r.value, ROLE_LABELS[r]) for r in Role]


class User(AbstractUser):
    """A person who logs in. Belongs to one unit; holds roles through RoleGrant."""

    display_name = models.CharField(_("display name"), max_length=60)
    unit = models.ForeignKey(
        "org.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="users", verbose_name=_("unit")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # Demo accounts are created only by `load_demo`, so they can be found and removed before go-live.
    is_demo = models.BooleanField(_("demo account"), default=False)
    sort_key = models.CharField(max_length=400, editable=False, db_index=True, default="")
    # Set by an admin's reset: every page and API call is refused until the owner picks a new password.
    # db_default too: bulk loaders that insert rows by column list (scale.generator) leave these out.
    must_change_password = models.BooleanField(_("must change password"), default=False, db_default=False)
    # Bumped to end every session of the account at once (reset, password change, deactivation):
    # it is part of the session auth hash, so sessions signed with the old value no longer verify.
    credentials_epoch = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        ordering = ["sort_key", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    def save(self, *args, **kwargs):
        self.sort_key = pinyin_key(self.display_name or self.username)
        if kwargs.get("update_fields") is not None and "display_name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_key"}
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret=None):
        # Epoch 0 hashes the password alone, as Django does, so sessions from before this field survive.
        value = self.password if not self.credentials_epoch else f"{self.password}:{self.credentials_epoch}"
        return salted_hmac(
            "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash",
            value,
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    @property
    def role_codes(self) -> frozenset[str]:
        # Cached per request object: views check permissions several times per page.
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(self.role_grants.values_list("role", flat=True)) if self.pk else frozenset()
            self._role_codes = cached
        return cached

    @property
    def perms(self) -> frozenset[Perm]:
        return perms_for(self.role_codes)

    @property
    def is_kiosk(self) -> bool:
        """A wall-screen account (大屏): read by the kiosk middleware and the API's authentication."""
        return Role.KIOSK.value in self.role_codes

    def has_luoshi_perm(self, perm: Perm) -> bool:
        return self.is_active and perm in self.perms

    def role_labels(self) -> list[str]:
        return [str(ROLE_LABELS[Role(code)]) for code in sorted(self.role_codes)]


class RoleGrant(models.Model):
    """A role held by a user, granted by a security admin."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("role"), max_length=20, choices=ROLE_CHOICES)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="rolegrant_unique_user_role")]
        verbose_name = _("role grant")

    def __str__(self) -> str:
        return f"{self.user} · {self.role}"


class ApiToken(models.Model):
    """A bearer token for the REST API. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Why: logout, user, password, reset, deactivated, cap (accounts.services.TOKEN_REVOKE_REASONS).
    revoke_reason = models.CharField(max_length=20, blank=True)
    created_ip = models.CharField(max_length=45, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "revoked"], name="apitoken_user_live_idx")]

    def __str__(self) -> str:
        return f"token {self.pk} of {self.user_id}"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()


class AdminRequest(models.Model):
    """A takeover-class action on an admin account (三员分立), waiting for a second admin duty's approval.

    The requested password is kept only as a hash and applied on approval; nobody ever sees it again.
    """

    class Kind(models.TextChoices):
        PASSWORD_RESET = "password_reset", _("Reset password")
        DEACTIVATE = "deactivate", _("Deactivate")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    kind = models.CharField(_("action"), max_length=20, choices=Kind.choices)
    target = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("account"))
    password_hash = models.CharField(max_length=128, blank=True, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by"))
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("admin request")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.target}"
