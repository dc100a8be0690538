import logging
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .language import language_name
from .mail import Mail, mail_users
from .models import Role, User
from .services import default_expiry
from .text import validate_portal_date, validate_single_line_text

logger = logging.getLogger(__name__)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, e.g. 'Nightly sync to our M&E system'."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        validators=[validate_portal_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "The last day the token works (UTC). Leave empty for a token that works until you "
            "revoke it."
        ),
    )
    read_only = forms.BooleanField(
        label=_("Read only"),
        required=False,
        help_text=_("The token may read but not create, change or delete anything."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Set per form, not at import: the default moves with the day.
        self.fields["expires_on"].initial = default_expiry()
        self.fields["expires_on"].widget.attrs["min"] = timezone.now().date().isoformat()


# The models behind a person's scope belong to the activities app, above this one: the forms
# reach them through the user model's own fields rather than importing them.
Division = User._meta.get_field("divisions").related_model
Country = User._meta.get_field("countries").related_model
Partner = User._meta.get_field("partner").related_model


class PersonForm(forms.Form):
    """Invite a person or change one: name, e-mail, role and scope. The role's own rules (a
    partner user's organization, a counterpart's country) are the service's, which names the
    field it refuses."""

    first_name = forms.CharField(
        label=_("First name"), max_length=150, validators=[validate_single_line_text]
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, validators=[validate_single_line_text]
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("The invitation goes here; new people sign in with it as their username."),
    )
    role = forms.ChoiceField(label=_("Role"))
    divisions = forms.ModelMultipleChoiceField(
        label=_("Divisions"),
        queryset=Division._default_manager.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A country programme manager changes the activities these divisions lead."),
    )
    countries = forms.ModelMultipleChoiceField(
        label=_("Countries"),
        queryset=Country._default_manager.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_(
            "A country programme manager changes the activities about these countries. "
            "Hold Ctrl (Cmd on a Mac) to choose several."
        ),
    )
    partner = forms.ModelChoiceField(
        label=_("Organization"),
        queryset=Partner._default_manager.order_by("name"),
        required=False,
        empty_label=pgettext_lazy("no organization chosen", "None"),
        help_text=_("Partner users read what their organization takes part in."),
    )
    counterpart_country = forms.ModelChoiceField(
        label=_("Counterpart for"),
        queryset=Country._default_manager.order_by("name"),
        required=False,
        empty_label=pgettext_lazy("no country chosen", "None"),
        help_text=_("Country counterparts speak for this country and confirm its roles."),
    )

    def __init__(self, *args: Any, roles: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [("", _("Choose a role")), *roles]


class PersonInviteForm(PersonForm):
    """An invitation also says which language to write to the person in: they have no account
    yet to choose it themselves. The view proposes the inviter's, which also stands for an
    invitation posted without one."""

    language = forms.ChoiceField(
        label=_("Language of their e-mails"),
        required=False,
        help_text=_(
            "The invitation and the portal's later e-mails are written in it, until they choose "
            "their own language."
        ),
    )

    def __init__(self, *args: Any, roles: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, roles=roles, **kwargs)
        language_field = self.fields["language"]
        assert isinstance(language_field, forms.ChoiceField)
        # Read per form: the languages offered follow settings.LANGUAGES.
        language_field.choices = [(code, language_name(code)) for code, _name in settings.LANGUAGES]


class PersonChangeForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PersonVersionForm(forms.Form):
    """Deactivate or reactivate: the confirmation carries the version the page was shown at."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PeopleFilterForm(forms.Form):
    """The People list's filters; an unknown value is named next to its field, not ignored."""

    ORDERINGS = {
        "name": ("last_name", "first_name", "pk"),
        "-name": ("-last_name", "-first_name", "-pk"),
        "email": ("email", "pk"),
        "-email": ("-email", "-pk"),
        "role": ("role", "last_name", "pk"),
        "-role": ("-role", "last_name", "pk"),
        "last_login": (F("last_login").asc(nulls_first=True), "pk"),
        "-last_login": (F("last_login").desc(nulls_last=True), "-pk"),
    }

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        validators=[validate_single_line_text],
        help_text=_("Name, e-mail address or username."),
    )
    role = forms.ChoiceField(label=_("Role"), required=False)
    division = forms.ModelChoiceField(
        label=_("Division"),
        queryset=Division._default_manager.order_by("code"),
        required=False,
        to_field_name="code",
        empty_label=_("Any division"),
    )
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country._default_manager.order_by("name"),
        required=False,
        to_field_name="iso2",
        empty_label=_("Any country"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            ("active", _("Active")),
            ("invited", _("Invited, no password yet")),
            ("inactive", _("Deactivated")),
        ],
    )
    ordering = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[(key, key) for key in ORDERINGS],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [("", _("Any role")), *Role.choices]


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's, with the mail written in the account holder's language (accounts.mail) rather
    than in that of whoever asked: anyone may type an address on the sign-in page."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        def compose(_reader: User) -> Mail:
            return Mail(
                subject=render_to_string(subject_template_name, context),
                body=render_to_string(email_template_name, context),
            )

        try:
            mail_users([context["user"]], compose)
        except Exception:  # as Django's: logged, never shown (it would tell who has an account)
            logger.exception("Password reset mail to user %s not sent", context["user"].pk)
