"""Portal pages: the public ones (no login, cached, rate limited) and the office's editing pages."""

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.roles import Perm
from core.access import require_perm
from core.publishing import get_public_kind
from core.replica import replica_reads
from core.views_helpers import button_post, form_post
from portal import selectors, services
from portal.forms import AddByCodeForm, AddTasksForm, ItemTextForm, PhotoForm, UpdateForm
from portal.models import PublicItem, PublicPhoto, PublicUpdate
from portal.ratelimit import rate_limited

PUBLIC_KINDS = {v: k for k, v in selectors.PLURALS.items()}


def _language(request) -> str:
    """zh-hans first; `?lang=en` (links carry it) or the switch's cookie for English."""
    asked = request.GET.get("lang") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or "zh-hans"
    return "en" if asked == "en" else "zh-hans"


def _public_response(request, key: str, build) -> HttpResponse:
    lang = _language(request)
    with translation.override(lang):
        html = selectors.cached(f"{lang}:{key}", build(lang))
    response = HttpResponse(html)
    response["Cache-Control"] = "public, max-age=60"
    response["Content-Language"] = lang
    # Stricter than the app's policy: the portal runs no script at all.
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'self'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    )
    return response


def _state_words() -> dict[str, str]:
    return {
        "done": _("Completed"),
        "in_progress": _("In progress"),
        "behind": _("Behind schedule"),
        "progress": _("Progress"),
    }


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 6 else None


@require_GET
@rate_limited
def public_index_view(request):
    """民生实事: the year's public commitments with progress and plain state; filter by area and block."""
    day = timezone.localdate()
    year = _int(request.GET.get("year", ""))
    area = request.GET.get("area", "")[:60]
    block = request.GET.get("block", "")[:60]

    def build(lang):
        def render_index():
            data = selectors.public_index(day, year=year, area=area, block=block)
            return render_to_string(
                "portal/public_index.html",
                {
                    "d": data,
                    "area": area,
                    "block": block,
                    "lang": lang,
                    "day": day,
                    "rows_html": selectors.index_rows_html(
                        data.rows, query="?lang=en" if lang == "en" else "", words=_state_words()
                    ),
                },
            )

        return render_index

    # The cache key's epoch and the page are read from one database (a replica when configured,
    # core/replica.py): a key from the primary over a lagging replica's page would keep a stale page.
    with replica_reads():
        key = f"index:{day}:{selectors.portal_epoch()}:{year}:{area}:{block}"
        return _public_response(request, key, build)


@require_GET
@rate_limited
def public_item_view(request, kinds: str, pk: int):
    with replica_reads():  # version, epoch and page from one database (see public_index_view)
        return _public_item(request, kinds, pk)


def _public_item(request, kinds: str, pk: int) -> HttpResponse:
    kind = PUBLIC_KINDS.get(kinds)
    version = selectors.item_version(kind, pk) if kind else None
    if version is None:
        raise Http404
    day = timezone.localdate()

    def build(lang):
        def render_item():
            detail = selectors.public_detail(kind, pk, day)
            return render_to_string("portal/public_item.html", {"d": detail, "lang": lang, "day": day})

        return render_item

    from reports.rollup_cache import epoch_current

    return _public_response(request, f"item:{kind}:{pk}:{version}:{day}:{epoch_current()}", build)


@require_GET
@rate_limited
def public_photo_view(request, pk: int, thumb: bool = False):
    return _photo_response(selectors.public_photo(pk), thumb=thumb, cache="public, max-age=3600")


@require_GET
@require_perm(Perm.PLAN_EDIT)
def office_photo_view(request, pk: int, thumb: bool = False):
    """The office sees a selected photo (its EXIF-free published copy) before the item is public, too."""
    photo = get_object_or_404(PublicPhoto, pk=pk)
    return _photo_response(photo, thumb=thumb, cache="private, no-store")


def _photo_response(photo: PublicPhoto, *, thumb: bool, cache: str) -> FileResponse:
    stored = photo.thumbnail if thumb and photo.thumbnail else photo.file
    response = FileResponse(stored.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache
    return response


# --- the office ------------------------------------------------------------------------------------


@require_perm(Perm.PLAN_EDIT)
def office_list_view(request):
    """The office's list of public items, and the form that puts tasks on the portal as drafts."""
    form = AddTasksForm(request.POST or None)
    if request.method == "POST":

        def write(data):
            created = 0
            for task in data["tasks"]:
                if PublicItem.objects.filter(kind="task", object_id=task.pk).exists():
                    continue
                services.item_save(
                    actor=request.user,
                    kind="task",
                    object_id=task.pk,
                    title=task.node.title[:120],
                    summary="",
                    year=task.deadline.year,
                )
                created += 1
            return created

        return form_post(
            request,
            form,
            write,
            success=lambda n: _("%(n)s draft(s) added: write their public texts, then publish.") % {"n": n},
            redirect_to="portal:office_list",
            invalid=lambda f: _office_list(request, form=f),
        )
    return _office_list(request, form=form)


def _office_list(request, *, form=None, code_form=None, status: int = 200):
    code_form = code_form or AddByCodeForm()
    context = {
        "items": selectors.office_items(),
        "form": form or AddTasksForm(),
        "code_form": code_form if code_form.fields["kind"].choices else None,
    }
    return render(request, "portal/office_list.html", context, status=status)


@require_POST
@require_perm(Perm.PLAN_EDIT)
def add_by_code_view(request):
    """Put records of a kind that registered `draft_by_code` (major projects) on the portal as drafts."""
    form = AddByCodeForm(request.POST)

    @transaction.atomic
    def write(data):
        created = 0
        for object_id, title, year in data["drafts"]:
            if PublicItem.objects.filter(kind=data["kind"], object_id=object_id).exists():
                continue
            services.item_save(
                actor=request.user, kind=data["kind"], object_id=object_id, title=title, summary="", year=year
            )
            created += 1
        return created

    return form_post(
        request,
        form,
        write,
        success=lambda n: _("%(n)s draft(s) added: write their public texts, then publish.") % {"n": n},
        redirect_to="portal:office_list",
        invalid=lambda f: _office_list(request, code_form=f, status=400),
    )


@require_perm(Perm.PLAN_EDIT)
def office_item_view(request, pk: int):
    item = get_object_or_404(PublicItem, pk=pk)
    form = ItemTextForm(request.POST or None, initial={"title": item.title, "summary": item.summary, "year": item.year})
    if request.method == "POST":
        return form_post(
            request,
            form,
            lambda d: services.item_save(
                actor=request.user,
                kind=item.kind,
                object_id=item.object_id,
                title=d["title"],
                summary=d["summary"],
                year=d["year"],
                item=item,
            ),
            success=_("Public texts saved."),
            redirect_to=lambda i: f"/portal/items/{i.pk}/",
            invalid=lambda f: _item_page(request, item, text_form=f, status=400),
        )
    return _item_page(request, item, text_form=form)


def _item_page(request, item, *, text_form=None, update_form=None, photo_form=None, status=200):
    kind = get_public_kind(item.kind)
    published_refs = set(item.photos.values_list("source_ref", flat=True))
    candidates = [c for c in kind.photos(item.object_id) if c.ref not in published_refs]
    return render(
        request,
        "portal/office_item.html",
        {
            "item": item,
            "internal_title": kind.internal_title(item.object_id) if kind.exists(item.object_id) else "",
            "internal_url": kind.internal_url(item.object_id),
            "text_form": text_form
            or ItemTextForm(initial={"title": item.title, "summary": item.summary, "year": item.year}),
            "update_form": update_form or UpdateForm(initial={"date": timezone.localdate()}),
            "photo_form": photo_form or PhotoForm(),
            "updates": item.updates.all(),
            "photos": item.photos.all(),
            "candidates": candidates,
            "public_url": reverse("portal:item", args=[selectors.plural(item.kind), item.object_id]),
        },
        status=status,
    )


@require_POST
@require_perm(Perm.PLAN_EDIT)
def publish_view(request, pk: int):
    item = get_object_or_404(PublicItem, pk=pk)
    publish = request.POST.get("publish") == "1"
    return button_post(
        request,
        lambda: services.item_publish(actor=request.user, item=item, publish=publish),
        success=_("Published on the public portal.") if publish else _("Taken off the public portal."),
        redirect_to=f"/portal/items/{item.pk}/",
    )


@require_POST
@require_perm(Perm.PLAN_EDIT)
def update_add_view(request, pk: int):
    item = get_object_or_404(PublicItem, pk=pk)
    form = UpdateForm(request.POST)
    return form_post(
        request,
        form,
        lambda d: services.update_add(actor=request.user, item=item, day=d["date"], text=d["text"]),
        success=_("Public progress note added."),
        redirect_to=f"/portal/items/{item.pk}/",
        invalid=lambda f: _item_page(request, item, update_form=f, status=400),
    )


@require_POST
@require_perm(Perm.PLAN_EDIT)
def update_remove_view(request, pk: int):
    update = get_object_or_404(PublicUpdate.objects.select_related("item"), pk=pk)
    return button_post(
        request,
        lambda: services.update_remove(actor=request.user, update=update),
        success=_("Public progress note removed."),
        redirect_to=f"/portal/items/{update.item_id}/",
    )


@require_POST
@require_perm(Perm.PLAN_EDIT)
def photo_add_view(request, pk: int):
    item = get_object_or_404(PublicItem, pk=pk)
    form = PhotoForm(request.POST, request.FILES)

    def write(d):
        upload = d.get("photo")
        return services.photo_publish(
            actor=request.user,
            item=item,
            caption=d["caption"],
            source_ref=d["source_ref"] if not upload else "",
            upload=upload,
        )

    return form_post(
        request,
        form,
        write,
        success=_("Photo published (a copy without location or camera data)."),
        redirect_to=f"/portal/items/{item.pk}/",
        invalid=lambda f: _item_page(request, item, photo_form=f, status=400),
    )


@require_POST
@require_perm(Perm.PLAN_EDIT)
def photo_remove_view(request, pk: int):
    photo = get_object_or_404(PublicPhoto, pk=pk)
    item_pk = photo.item_id
    return button_post(
        request,
        lambda: services.photo_remove(actor=request.user, photo=photo),
        success=_("Photo removed from the portal."),
        redirect_to=f"/portal/items/{item_pk}/",
    )
