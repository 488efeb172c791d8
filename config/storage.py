"""STORAGES["default"] from STORAGE_URL (docs/files.md "Object storage"). Its own module, free of app
imports, so the file commands in core can build a second storage from a URL."""

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}

S3_BACKEND = "storages.backends.s3.S3Storage"
FILE_BACKEND = "django.core.files.storage.FileSystemStorage"


def storage_settings(url: str | None) -> dict[str, object]:
    """STORAGES["default"] (every stored file: evidence, photos, attachments, documents) from STORAGE_URL.

    unset | file:// → the local folder MEDIA_ROOT (laptop, one machine).
    s3://ACCESS_KEY:SECRET_KEY@host:port/bucket[/prefix]?region=…  → S3-compatible object storage over
    HTTPS (MinIO on the intranet); s3+http://… the same over plain HTTP (loopback, tests).
    The bucket is private: objects are written with the "private" ACL and never get a public URL; files
    reach users only through the access-checked views, streamed (docs/files.md).
    """
    from urllib.parse import parse_qs, unquote, urlsplit

    if not url or url.startswith("file:"):
        return {"BACKEND": FILE_BACKEND}
    parts = urlsplit(url)
    if parts.scheme not in {"s3", "s3+http", "s3+https"}:
        raise ImproperlyConfigured(f"STORAGE_URL scheme {parts.scheme!r} is not one of file, s3, s3+http, s3+https.")
    if not parts.hostname:
        raise ImproperlyConfigured("STORAGE_URL has no host.")
    bucket, _, prefix = parts.path.lstrip("/").partition("/")
    if not bucket:
        raise ImproperlyConfigured("STORAGE_URL names no bucket (s3://key:secret@host:port/bucket).")
    if not parts.username or not parts.password:
        raise ImproperlyConfigured("STORAGE_URL has no access key and secret key (s3://key:secret@host/bucket).")
    try:
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured("STORAGE_URL has an invalid port.") from exc
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    http = "http" if parts.scheme == "s3+http" else "https"
    return {
        "BACKEND": S3_BACKEND,
        "OPTIONS": {
            "bucket_name": bucket,
            "location": prefix.strip("/"),
            "access_key": unquote(parts.username),
            "secret_key": unquote(parts.password),
            "endpoint_url": f"{http}://{parts.hostname}{f':{port}' if port else ''}",
            "region_name": query.get("region", "us-east-1"),
            "addressing_style": "path",  # MinIO's default; no wildcard DNS needed on an intranet
            "signature_version": "s3v4",
            "default_acl": "private",
            "file_overwrite": False,  # a name taken gets a suffix; uploads never replace a file
            "querystring_auth": True,  # .url() (unused by the views) would only ever be a signed link
            "querystring_expire": 60,
            "max_memory_size": 2 * 1024 * 1024,  # a file being served spills to a temp file past 2 MB
            "verify": query.get("verify", "1").lower() in _TRUE,
        },
    }
