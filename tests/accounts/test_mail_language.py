"""Every mail is written in its recipient's language (accounts.mail), not in that of whoever's
action sent it: an invitation in the language the focal point chose for the invitee, a password
reset in the account holder's, whatever the browser that asked for it reads.

The expected words are read from the catalogues under translation.override, so the tests follow
the translators' wording."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.mail import Mail, compose_mails, mail_language, mail_users
from accounts.models import User
from tests.factories import UserFactory
from tests.helpers import person_form_data

pytestmark = pytest.mark.django_db

ENGLISH = {"accept-language": "en"}


def _in(language: str, text: str) -> str:
    with translation.override(language):
        translated = translation.gettext(text)
    assert language == "en" or translated != text, f"{text!r} has no {language} translation"
    return translated


@pytest.mark.parametrize(
    ("chosen", "written_in"), [("fr", "fr"), ("ar", "ar"), ("", "en"), ("de", "en"), ("xx", "en")]
)
def test_a_mail_is_in_the_recipient_s_language_or_the_site_s(chosen: str, written_in: str) -> None:
    assert mail_language(User(language=chosen)) == written_in


def test_a_mail_to_people_of_two_languages_is_split_by_language() -> None:
    readers = [
        UserFactory(language="fr"),
        UserFactory(language="ar"),
        UserFactory(language="fr"),
        UserFactory(email=""),  # no address: no mail
    ]

    def compose(reader: User) -> Mail:
        return Mail(subject=translation.gettext("The SSC Portal team") + "\n", body=reader.email)

    with translation.override("en"):
        messages = compose_mails(readers, compose)
    assert [(m.to, m.subject, m.body) for m in messages] == [
        ([readers[0].email], _in("fr", "The SSC Portal team"), readers[0].email),
        ([readers[1].email], _in("ar", "The SSC Portal team"), readers[1].email),
        ([readers[2].email], _in("fr", "The SSC Portal team"), readers[2].email),
    ]
    # Composing left the caller's language as it was.
    assert translation.get_language() != "fr"
    assert mail_users([], compose) == 0


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_an_invitation_is_written_in_the_language_chosen_for_the_invitee(
    language: str, focal_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = focal_client.post(
            reverse("accounts:person_invite"),
            person_form_data(language=language),
            headers=ENGLISH,
        )
    assert response.status_code == 302
    # The focal point's page stayed in English ...
    assert response.wsgi_request.LANGUAGE_CODE == "en"
    person = User.objects.get(email="ana.ferreira@example.org")
    assert person.language == language
    # ... the invitee's mail is in theirs: subject and body.
    [message] = mail.outbox
    assert message.subject == _in(language, "You are invited to the SSC Portal")
    assert _in(language, "The SSC Portal team") in message.body
    assert "The SSC Portal team" not in message.body
    # The invitation sent again is in the same language.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        focal_client.post(reverse("accounts:person_resend", args=[person.pk]), headers=ENGLISH)
    [again] = mail.outbox
    assert again.subject == _in(language, "You are invited to the SSC Portal")


def test_the_invite_form_proposes_the_inviter_s_language_which_stands_when_none_is_sent(
    focal: User, focal_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    User.objects.filter(pk=focal.pk).update(language="es")
    page = focal_client.get(reverse("accounts:person_invite"))
    assert '<option value="es" selected>Español</option>' in page.text
    assert '<option value="ar">العربيّة</option>' in page.text
    with django_capture_on_commit_callbacks(execute=True):
        focal_client.post(reverse("accounts:person_invite"), person_form_data())
    assert User.objects.get(email="ana.ferreira@example.org").language == "es"
    [message] = mail.outbox
    assert message.subject == _in("es", "You are invited to the SSC Portal")


def test_an_invitation_in_a_language_not_offered_is_refused_naming_the_field(
    focal_client: Client,
) -> None:
    response = focal_client.post(reverse("accounts:person_invite"), person_form_data(language="de"))
    assert response.status_code == 400
    assert "language" in response.context["form"].errors
    assert not User.objects.filter(email="ana.ferreira@example.org").exists()
    assert mail.outbox == []


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_a_password_reset_is_in_the_account_holder_s_language_not_the_asker_s(
    language: str,
) -> None:
    holder = UserFactory(language=language)
    asked = Client(headers=ENGLISH).post(reverse("password_reset"), {"email": holder.email})
    assert asked.status_code == 302
    [message] = mail.outbox
    assert message.to == [holder.email]
    assert message.subject == _in(language, "Reset your SSC Portal password")
    assert _in(language, "The SSC Portal team") in message.body
    assert "/accounts/reset/" in message.body


def test_a_password_reset_for_someone_without_a_language_is_in_the_site_s() -> None:
    holder = UserFactory(language="")
    french_browser = Client(headers={"accept-language": "fr"})
    french_browser.post(reverse("password_reset"), {"email": holder.email})
    [message] = mail.outbox
    assert message.subject == "Reset your SSC Portal password"


def test_a_password_reset_the_mail_server_refuses_answers_as_one_it_took(
    settings: Any,
) -> None:
    holder = UserFactory(language="fr")
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},
        }
    }
    asked = Client().post(reverse("password_reset"), {"email": holder.email})
    # The same answer as for any address: nothing tells whether this one has an account.
    assert asked.status_code == 302
    assert asked["Location"] == reverse("password_reset_done")
