import hashlib

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
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

    objects = UserManager()

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

    def __str__(self) -> str:
        return f"token {self.pk} of {self.user_id}"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
