from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.conf import settings
        from django.core.signals import request_finished
        from PIL import Image

        from core import uploads

        # Any decode anywhere (thumbnails, EXIF) refuses what the upload check would refuse.
        Image.MAX_IMAGE_PIXELS = settings.UPLOAD_MAX_IMAGE_PIXELS
        request_finished.connect(uploads.discard_after_request, dispatch_uid="core.uploads.discard_after_request")
