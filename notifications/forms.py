from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CheckedForm
from notifications import robots
from notifications.models import UnitWebhook
from org.models import Unit


class WebhookForm(CheckedForm):
    """A unit's group robot. The checks are repeated in services (the API and the page cannot differ)."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.filter(is_active=True).order_by("sort_key"))
    kind = forms.ChoiceField(label=_("Robot"), choices=UnitWebhook.Kind.choices)
    # A CharField, not a URLField: robots on an intranet often sit behind a host name without a dot,
    # which Django's URL validator refuses; services.webhook_url_problem checks what matters.
    url = forms.CharField(
        label=_("Webhook URL"),
        max_length=500,
        help_text=_("Copied from the robot's settings, e.g. https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"),
        widget=forms.TextInput(attrs={"class": "wide", "spellcheck": "false", "autocomplete": "off"}),
    )
    secret = forms.CharField(
        label=_("Signing secret (DingTalk)"),
        max_length=200,
        required=False,
        help_text=_("Only for a DingTalk robot with 加签 security: the SEC… string. Leave empty otherwise."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    message_format = forms.ChoiceField(
        label=_("Message format"), choices=UnitWebhook.Format.choices, initial=UnitWebhook.Format.MARKDOWN
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_url(self) -> str:
        from notifications.services import webhook_url_problem

        url = self.cleaned_data["url"].strip()
        problem = webhook_url_problem(url)
        if problem:
            raise forms.ValidationError(problem)
        return url

    def clean(self):
        data = super().clean()
        secret = (data.get("secret") or "").strip()
        data["secret"] = secret
        if secret and data.get("kind") and data["kind"] != UnitWebhook.Kind.DINGTALK:
            self.add_error("secret", _("Only a DingTalk robot takes a signing secret."))
        elif secret and not robots.is_dingtalk_secret(secret):
            self.add_error(
                "secret",
                _("A DingTalk signing secret is SEC followed by letters and digits, as the robot's page shows it."),
            )
        return data
