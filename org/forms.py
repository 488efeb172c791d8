from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.forms import CheckedForm
from org.models import Unit


class UnitForm(CheckedForm):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    full_name = forms.CharField(label=_("Full name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Unit.Kind.choices)
    parent = forms.ModelChoiceField(label=_("Parent unit"), queryset=Unit.objects.order_by("sort_key"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class PostForm(CheckedForm):
    title = forms.CharField(label=_("Title"), max_length=60)
    rank = forms.IntegerField(label=_("Rank"), min_value=0, max_value=32767, initial=100)
    portfolio = forms.CharField(label=_("Portfolio"), max_length=200, required=False)
    holder = forms.ModelChoiceField(
        label=_("Holder"), queryset=User.objects.filter(is_active=True).order_by("sort_key"), required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
