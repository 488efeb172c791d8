"""Serving stored files (evidence, photos, attachments) after the caller's access check."""

from urllib.parse import quote

from django.http import FileResponse, Http404


def serve_upload(upload, *, actor, thumb: bool = False) -> FileResponse:
    """The file, or its JPEG thumbnail, of a checked upload (`file`, `thumbnail`, `content_type`, `original_name`).

    The caller has already applied the object's access rule; the response is private and never sniffed.
    Serving the file itself is audited ("<model>.download"); a thumbnail is not: it is part of showing the
    page the file is listed on (page views are not audited either), and auditing it would take the audit
    chain's lock for every image of every report page (docs/audit.md).
    """
    from audit.services import audit_record

    use_thumb = thumb and bool(upload.thumbnail)
    stored = upload.thumbnail if use_thumb else upload.file
    if not stored:
        raise Http404
    handle = stored.open("rb")
    if not use_thumb:
        audit_record(actor=actor, verb=f"{upload._meta.model_name}.download", obj=upload)
    response = FileResponse(handle, content_type="image/jpeg" if use_thumb else upload.content_type)
    if not thumb:
        response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(upload.original_name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response
