"""Password rules beyond Django's: not all of one character class, not the username."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def character_classes(password: str) -> int:
    classes = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    return sum(classes)


class CharacterClassValidator:
    def __init__(self, min_classes: int = 2) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                _("The password must mix at least %(n)d kinds of characters (lower case, upper case, digits, symbols).")
                % {"n": self.min_classes},
                code="password_one_class",
            )

    def get_help_text(self) -> str:
        return _("Mix at least %(n)d kinds of characters: lower case, upper case, digits, symbols.") % {
            "n": self.min_classes
        }


class NotUsernameValidator:
    def validate(self, password: str, user=None) -> None:
        username = (getattr(user, "username", "") or "").strip().lower()
        if username and username in password.lower():
            raise ValidationError(_("The password must not contain the username."), code="password_is_username")

    def get_help_text(self) -> str:
        return _("The password must not contain the username.")


class MinimumLengthValidator:
    """Django's rule with our own message: Django 5.2's zh-Hans catalog has no translation for its new wording."""

    def __init__(self, min_length: int = 10) -> None:
        self.min_length = min_length

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                _("The password is too short: it must have at least %(n)d characters.") % {"n": self.min_length},
                code="password_too_short",
            )

    def get_help_text(self) -> str:
        return _("At least %(n)d characters.") % {"n": self.min_length}
