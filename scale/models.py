from django.db import models


class GeneratedCity(models.Model):
    """The marker of a database filled by `seed_scale`: only such a database is wiped and rebuilt without --force."""

    seed = models.PositiveIntegerField()
    params = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)

    def __str__(self) -> str:
        return f"generated city (seed {self.seed}, {self.params})"
