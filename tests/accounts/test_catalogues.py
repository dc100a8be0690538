"""The translation catalogues are complete and current, and nothing a user reads escapes them.

- For each of fr, es and ar whose catalogue (locale/<code>/LC_MESSAGES/django.po) is in the
  repository: no message untranslated or fuzzy; no message used in the code missing from it, and
  none it translates that the code no longer uses (makemessages is run, with the options `make
  messages` and the translators use, on a copy of the code, and the message sets compared);
  each translation keeps its original's placeholders (%(name)s, %s, {name}) and HTML tags; and
  msgfmt accepts it. A language without a catalogue is skipped: it is not offered either
  (tests/accounts/test_languages.py).
- Always: templates hold no text outside {% translate %} / {% blocktranslate %}, in text or in
  the attributes people read (alt, title, placeholder, aria-label, a button's value...), and our
  scripts build no English sentence themselves (the pages hand them their words, translated).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

BASE = Path(settings.BASE_DIR)
LOCALE = BASE / "locale"
TRANSLATED = ("fr", "es", "ar")
# `make messages`' options (Makefile: MESSAGES_OPTIONS).
IGNORED = [".venv", "node_modules", "tests", "benchmarks", "static/vendor", "staticfiles"]

# Messages a catalogue may leave untranslated, each with its reason. Empty: every message of
# ours is meant to be read in the user's language.
MAY_STAY_UNTRANSLATED: dict[str, str] = {}


def catalogue(code: str) -> polib.POFile:
    path = LOCALE / code / "LC_MESSAGES" / "django.po"
    if not path.is_file():
        pytest.skip(f"no {code} catalogue in the repository: {code} is not offered")
    return polib.pofile(str(path))


def live(po: polib.POFile) -> list[polib.POEntry]:
    return [entry for entry in po if not entry.obsolete and entry.msgid]


def key(entry: polib.POEntry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


# --- catalogues -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(code: str) -> None:
    po = catalogue(code)
    missing = [
        entry.msgid
        for entry in live(po)
        if (not entry.translated() or "fuzzy" in entry.flags)
        and entry.msgid not in MAY_STAY_UNTRANSLATED
    ]
    assert not missing, f"{len(missing)} {code} messages untranslated or fuzzy: {missing[:20]}"


@pytest.fixture(scope="module")
def messages_in_code(tmp_path_factory: pytest.TempPathFactory) -> Iterator[set[tuple[str, str]]]:
    """The messages the code and templates use now: makemessages on a copy of the code (run in
    the repository it would write into locale/, the very files under test)."""
    if not any((LOCALE / code / "LC_MESSAGES" / "django.po").is_file() for code in TRANSLATED):
        pytest.skip("no catalogue in the repository yet")
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext is missing: `make gettext` installs Debian's gettext")
    copy = tmp_path_factory.mktemp("code") / "portal"
    skip = {*IGNORED, "locale", ".git", ".stamps", "media", "static"}
    shutil.copytree(BASE, copy, ignore=lambda _dir, names: [n for n in names if n in skip])
    shutil.copytree(BASE / "static" / "js", copy / "static" / "js")
    with pytest.MonkeyPatch.context() as patch, override_settings(LOCALE_PATHS=[copy / "locale"]):
        patch.chdir(copy)
        call_command(
            "makemessages",
            locale=["fr"],
            add_location="file",
            ignore_patterns=IGNORED,
            verbosity=0,
        )
    yield {
        key(entry) for entry in live(polib.pofile(str(copy / "locale/fr/LC_MESSAGES/django.po")))
    }


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_catalogue_holds_exactly_the_messages_the_code_uses(
    code: str, messages_in_code: set[tuple[str, str]]
) -> None:
    held = {key(entry) for entry in live(catalogue(code))}
    missing = sorted(messages_in_code - held)
    stale = sorted(held - messages_in_code)
    assert not missing, f"{code}: run `make messages`; missing {len(missing)}: {missing[:20]}"
    assert not stale, f"{code}: run `make messages`; no longer used {len(stale)}: {stale[:20]}"


PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]?\d*(?:\.\d+)?[sdifr]|%[sdifr]|\{\w*\}")
TAG = re.compile(r"</?([a-zA-Z][\w-]*)")


def marks(text: str) -> Counter[str]:
    """The placeholders and HTML tag names of a message: what its translation must keep."""
    return Counter(PLACEHOLDER.findall(text)) + Counter(f"<{t}>" for t in TAG.findall(text))


def placeholder_problems(entry: polib.POEntry) -> list[str]:
    if not entry.translated() or "fuzzy" in entry.flags:
        return []
    if not entry.msgid_plural:
        if marks(entry.msgstr) != marks(entry.msgid):
            return [f"{entry.msgid!r} -> {entry.msgstr!r}"]
        return []
    # A plural form may leave the count out (Arabic's "one" and "two" say it in words), but
    # never brings a placeholder or tag the original lacks: that would fail when rendered.
    known = marks(entry.msgid) | marks(entry.msgid_plural)
    return [
        f"{entry.msgid_plural!r} [{index}] -> {text!r}"
        for index, text in entry.msgstr_plural.items()
        if marks(text) - known
    ]


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_their_placeholders_and_tags(code: str) -> None:
    problems = [p for entry in live(catalogue(code)) for p in placeholder_problems(entry)]
    assert not problems, (
        f"{code}: {len(problems)} translations change placeholders: {problems[:10]}"
    )


def test_arabic_translations_mark_us_dollars_left_to_right() -> None:
    """In a right-to-left line "(US$)" shows as "($US)" and "لكل US$" as "لكل $US": the "$"
    takes the line's direction unless a number follows it. A left-to-right mark after "US$"
    keeps it with its letters, in the browser and in the PDFs alike."""
    unmarked = [
        entry.msgid
        for entry in live(catalogue("ar"))
        for text in (entry.msgstr, *entry.msgstr_plural.values())
        if re.search("US\\$(?!\u200e)", text)
    ]
    assert not unmarked, f"US$ without a left-to-right mark after it in: {unmarked[:10]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_msgfmt_accepts_the_catalogue(code: str) -> None:
    catalogue(code)
    if shutil.which("msgfmt") is None:
        pytest.fail("msgfmt is missing: `make gettext` installs Debian's gettext")
    path = LOCALE / code / "LC_MESSAGES" / "django.po"
    checked = subprocess.run(  # noqa: S603 - a fixed program on a file of the repository
        ["msgfmt", "--check", "--output-file=/dev/null", str(path)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


def test_the_placeholder_check_catches_a_changed_placeholder() -> None:
    """The check above is only worth its passes if it fails on the mistakes it is for."""
    good = polib.POEntry(
        msgid="%(count)s of <b>%(total)s</b>", msgstr="%(count)s sur <b>%(total)s</b>"
    )
    renamed = polib.POEntry(msgid="%(count)s items", msgstr="%(nombre)s éléments")
    lost_tag = polib.POEntry(msgid="Read <a href='x'>this</a>", msgstr="Lisez ceci")
    plural = polib.POEntry(
        msgid="%(count)s item",
        msgid_plural="%(count)s items",
        msgstr_plural={0: "عنصر واحد", 1: "%(count)s عناصر", 2: "%(total)s"},
    )
    assert placeholder_problems(good) == []
    assert placeholder_problems(renamed)
    assert placeholder_problems(lost_tag)
    assert placeholder_problems(plural) == ["'%(count)s items' [2] -> '%(total)s'"]


# --- templates and scripts ------------------------------------------------------------------

TEMPLATES = BASE / "templates"
# Removed before looking for text: what is translated, template code, comments, scripts, and
# code samples (<pre>, <code>: commands and identifiers, the same in every language).
NOT_TEXT = [
    re.compile(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S),
    re.compile(r"\{%\s*blocktrans(?:late)?\b.*?\{%\s*endblocktrans(?:late)?\s*%\}", re.S),
    re.compile(r"\{#.*?#\}", re.S),
    re.compile(r"<!--.*?-->", re.S),
    re.compile(r"<(script|style|pre|code)\b.*?</\1>", re.S | re.I),
    re.compile(r"\{%.*?%\}", re.S),
    re.compile(r"\{\{.*?\}\}", re.S),
]
READ_ATTRIBUTES = re.compile(
    r"""\b(alt|title|placeholder|aria-label|aria-description|aria-roledescription|"""
    r"""data-confirm|label)\s*=\s*(["'])(.*?)\2""",
    re.S,
)
BUTTON_VALUE = re.compile(
    r"""<input\b[^>]*\btype=["']?(?:submit|button|reset)\b[^>]*\bvalue=(["'])(.*?)\1""", re.S
)
TAGS = re.compile(r"<[^>]*>", re.S)
ENTITY = re.compile(r"&#?\w+;")
# Words that are the same in every language: units, codes and the names of programs.
SAME_IN_EVERY_LANGUAGE = re.compile(r"US\$|\bUTC\b|\bSHA-256\b|\bcurl\b|\bPython \(requests\)")
LETTER = re.compile(r"[^\W\d_]")


def unmarked_text(source: str) -> list[str]:
    for pattern in NOT_TEXT:
        # Blank lines kept, so that a finding's line number is the template's.
        source = pattern.sub(lambda m: "\n" * m.group(0).count("\n"), source)
    found = [m.group(3) for m in READ_ATTRIBUTES.finditer(source)]
    found += [m.group(2) for m in BUTTON_VALUE.finditer(source)]
    body = TAGS.sub(lambda m: "\n" * m.group(0).count("\n") + " ", source)
    found += [
        f"line {number}: {line.strip()}"
        for number, line in enumerate(body.splitlines(), 1)
        if LETTER.search(line)
    ]
    return [
        text
        for text in found
        if LETTER.search(SAME_IN_EVERY_LANGUAGE.sub("", ENTITY.sub("", text.split(": ", 1)[-1])))
    ]


def test_templates_mark_every_text_for_translation() -> None:
    findings = {
        str(path.relative_to(TEMPLATES)): unmarked
        for path in sorted(TEMPLATES.rglob("*"))
        if path.suffix in (".html", ".txt")
        if (unmarked := unmarked_text(path.read_text(encoding="utf-8")))
    }
    assert not findings, f"text not marked for translation: {findings}"


def test_the_template_check_finds_unmarked_text() -> None:
    assert unmarked_text("<p>{% translate 'Saved' %} <b>{{ n }}</b> US$</p>") == []
    assert unmarked_text("<pre><code>curl -H 'x'</code></pre>{# a note #}") == []
    assert unmarked_text("<h1>Activities</h1>") == ["line 1: Activities"]
    assert unmarked_text('<img alt="Logo">') == ["Logo"]
    assert unmarked_text('<input type="submit" value="Save">') == ["Save"]
    assert unmarked_text("{% if x %}\n  Nothing found\n{% endif %}") == ["line 2: Nothing found"]


BLOCK = re.compile(r"{%\s*blocktrans(?:late)?\b.*?%}(.*?){%\s*endblocktrans(?:late)?\s*%}", re.S)


def filtered_block_variables(source: str) -> list[str]:
    """Variables with a filter or a lookup inside a blocktranslate: Django renders them empty
    (it reads the context for the whole "x|f"), so the value silently vanishes from the page.
    The filter belongs in the tag's `with`."""
    return [
        variable.strip()
        for block in BLOCK.finditer(source)
        for variable in re.findall(r"{{(.*?)}}", block.group(1))
        if "|" in variable or "." in variable
    ]


def test_blocktranslate_bodies_name_plain_variables() -> None:
    findings = {
        str(path.relative_to(TEMPLATES)): found
        for path in sorted(TEMPLATES.rglob("*"))
        if path.suffix in (".html", ".txt")
        if (found := filtered_block_variables(path.read_text(encoding="utf-8")))
    }
    assert not findings, f"filters inside blocktranslate (move them to its `with`): {findings}"


def test_the_blocktranslate_check_finds_a_filter_inside() -> None:
    inside = "{% blocktranslate with p=x %}{{ p|percent }} alike{% endblocktranslate %}"
    assert filtered_block_variables(inside) == ["p|percent"]
    outside = "{% blocktranslate with p=x|percent %}{{ p }} alike{% endblocktranslate %}"
    assert filtered_block_variables(outside) == []


SCRIPTS = sorted((BASE / "static" / "js").glob("*.js"))
LITERAL = re.compile(r""""((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'|`((?:[^`\\]|\\.)*)`""")
COMMENTS = [re.compile(r"^\s*//.*$", re.M), re.compile(r"/\*.*?\*/", re.S)]
# Two words or more, or a capitalized word: how an English text for people starts.
WORDS = re.compile(r"[A-Za-z]{2,}(?:[ '][A-Za-z]{2,})+|^[A-Z][a-z]{2,}")
# Strings of our scripts that are not for people, each with the reason.
NOT_FOR_PEOPLE = {
    "use strict",  # the directive
    "Escape",  # a key's name (KeyboardEvent.key)
    "Polygon",  # a GeoJSON geometry type
    "world map: HTTP ",  # kept in the chart's data-error attribute, for the tests, never shown
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
}


def english_in_script(source: str) -> list[str]:
    code = source
    for comment in COMMENTS:
        code = comment.sub("", code)
    literals = (next(g for g in m.groups() if g is not None) for m in LITERAL.finditer(code))
    return [text for text in literals if WORDS.search(text) and text not in NOT_FOR_PEOPLE]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_scripts_take_the_words_they_show_from_the_page(script: Path) -> None:
    assert english_in_script(script.read_text(encoding="utf-8")) == []


def test_the_script_check_finds_english() -> None:
    source = '// "A comment"\nbutton.textContent = "Copied to the clipboard";\nvar k = "shadow";'
    assert english_in_script(source) == ["Copied to the clipboard"]
    assert english_in_script("el.title = 'Close';") == ["Close"]
