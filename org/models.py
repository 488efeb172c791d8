from django.db import models
from django.utils.translation import gettext_lazy as _

from core.collation import pinyin_key


class Unit(models.Model):
    """单位: a department (区住建局), sub-district office (街道办事处) or town (乡镇), in a tree under the district."""

    class Kind(models.TextChoices):
        DISTRICT = "district", _("District")
        DEPARTMENT = "department", _("Department")
        SUBDISTRICT = "subdistrict", _("Sub-district office")
        TOWN = "town", _("Town")
        OFFICE = "office", _("Supervision office")

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent unit")
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    # The name people write in ledgers (区住建局); imports match units by it.
    name = models.CharField(_("name"), max_length=100, unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    is_active = models.BooleanField(_("active"), default=True)
    # Pinyin of the name, so lists sort in Chinese order in the database (see core.collation).
    sort_key = models.CharField(max_length=400, editable=False, db_index=True)

    class Meta:
        ordering = ["sort_key"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.sort_key = pinyin_key(self.name)
        if "update_fields" in kwargs and kwargs["update_fields"] is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_key"}
        super().save(*args, **kwargs)


class LeaderPost(models.Model):
    """领导职务: a post such as 区长 or 分管城建副区长, held by one user.

    Assignments (责任领导) point at the post, not the person, so a change of
    holder does not rewrite a year of commitments.
    """

    title = models.CharField(_("title"), max_length=60, unique=True)
    rank = models.PositiveSmallIntegerField(_("rank"), default=100, help_text=_("Lower ranks are listed first."))
    portfolio = models.CharField(_("portfolio"), max_length=200, blank=True)
    holder = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leader_posts",
        verbose_name=_("holder"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["rank", "title"]
        verbose_name = _("leader post")
        verbose_name_plural = _("leader posts")

    def __str__(self) -> str:
        return self.title


class UnitDuty(models.Model):
    """单位职责: a keyword of what a unit answers for (区住建局: 老旧小区, 棚户区, 保障房), kept by the office.

    The decomposition page suggests a row's lead unit from it (never applies it silently); the table is
    replaced as a whole from an .xlsx (`org.services.duties_import`).
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="duties", verbose_name=_("unit"))
    keyword = models.CharField(_("keyword"), max_length=40)
    position = models.PositiveIntegerField(default=0)  # row order in the imported sheet

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("unit duty")
        verbose_name_plural = _("unit duties")
        constraints = [models.UniqueConstraint(fields=["unit", "keyword"], name="unitduty_unique_unit_keyword")]

    def __str__(self) -> str:
        return f"{self.unit}: {self.keyword}"
