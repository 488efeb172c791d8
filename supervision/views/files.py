"""Supervision files: served only here, after the access check of what they belong to."""

from core.access import require_perm
from core.files import serve_upload
from supervision.selectors import (
    attachment_get_for_user,
)
from supervision.views.common import READ


@require_perm(*READ)
def file_view(request, pk: int, thumb: bool = False):
    """Supervision files are served only here, after the access check of their order, inspection or item."""
    return serve_upload(attachment_get_for_user(request.user, pk), actor=request.user, thumb=thumb)
