"""What the portal accepts as text, dates and SSC IDs, and how text leaves it in files.

Checked where values are born: the validators below sit on the model fields, so a page's form,
the API and `full_clean` refuse the same things, and the workbook importer asks `text_problem`
for each cell it keeps. Exports clean again anyway (`file_text`, `spreadsheet_cell`): rows stored
before these rules must never stop a download.

- Text: no control characters (a workbook or an IATI file cannot hold most of them, and nobody
  types them), except tab and line breaks in multi-line fields; no bidirectional overrides or
  isolates (U+202A-U+202E, U+2066-U+2069), which make a text read differently from what it is;
  no lone surrogates or the non-characters U+FFFE and U+FFFF, which no UTF-8 file can carry.
- SSC IDs: `SSC_ID_PATTERN`, the form the portal generates (SSC-2024-07) and the corporate
  workbook has always used.
- Dates, and the fiscal years derived from them: `FIRST_YEAR` to `LAST_YEAR`. IFAD was founded
  in 1977; nothing the portal records happened before 1978 or is planned after 2100.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

FIRST_YEAR = 1978
LAST_YEAR = 2100

# "SSC-", the year the activity was approved or started, "-", a number of two digits or more.
SSC_ID_PATTERN = re.compile(r"SSC-[0-9]{4}-[0-9]{2,}")

_BIDI = "\u202a-\u202e\u2066-\u2069"
_UNENCODABLE = "\ud800-\udfff\ufffe\uffff"
# C0 controls but tab, line feed and carriage return (browsers send a textarea's line breaks as
# CR LF), DEL and the C1 controls.
_CONTROLS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
MULTI_LINE_REFUSED = re.compile(f"[{_CONTROLS}{_BIDI}{_UNENCODABLE}]")
SINGLE_LINE_REFUSED = re.compile(f"[\t\n\r{_CONTROLS}{_BIDI}{_UNENCODABLE}]")
# What an XML 1.0 document, and so an xlsx cell, cannot hold, with the bidi controls that would
# make a cell read as something else.
_NOT_IN_FILES = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f{_BIDI}{_UNENCODABLE}]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_problem(value: str, *, multi_line: bool = False) -> str:
    """Why `value` is refused as text, or "" when it is fine."""
    found = (MULTI_LINE_REFUSED if multi_line else SINGLE_LINE_REFUSED).search(value)
    if found is None:
        return ""
    character = found.group()
    code = f"U+{ord(character):04X}"
    if character in "\t\n\r":
        return _("Write this on one line: it contains a tab or line break.")
    if re.match(f"[{_BIDI}]", character):
        return _(
            "Remove the text direction control character %(code)s: it makes the text read "
            "differently from what it is."
        ) % {"code": code}
    return _("Remove the control character %(code)s: it cannot be stored or exported.") % {
        "code": code
    }


def validate_single_line_text(value: str) -> None:
    problem = text_problem(value)
    if problem:
        raise ValidationError(problem, code="control_character")


def validate_multi_line_text(value: str) -> None:
    problem = text_problem(value, multi_line=True)
    if problem:
        raise ValidationError(problem, code="control_character")


def ssc_id_problem(value: str) -> str:
    """Why `value` is refused as an SSC ID, or "" when it follows SSC_ID_PATTERN."""
    if SSC_ID_PATTERN.fullmatch(value):
        return ""
    return _(
        "Give the SSC ID as SSC-, the year, - and a number of two digits or more, in capitals "
        "(for example SSC-2024-07)."
    )


def validate_ssc_id(value: str) -> None:
    problem = ssc_id_problem(value)
    if problem:
        raise ValidationError(problem, code="ssc_id")


def year_problem(year: int) -> str:
    if FIRST_YEAR <= year <= LAST_YEAR:
        return ""
    return _("Give a date between %(first)d and %(last)d.") % {
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
    }


def validate_portal_date(value: datetime.date) -> None:
    problem = year_problem(value.year)
    if problem:
        raise ValidationError(problem, code="date_range")


def field_errors(model: type[models.Model], values: Mapping[str, Any]) -> dict[str, list[str]]:
    """The messages of the model fields' own validators for `values` ({field name: value}), for
    the services that write rows without `full_clean`."""
    errors: dict[str, list[str]] = {}
    for name, value in values.items():
        try:
            model._meta.get_field(name).run_validators(value)  # type: ignore[union-attr]
        except ValidationError as error:
            errors[name] = list(error.messages)
    return errors


def file_text(value: str) -> str:
    """`value` with what XML and xlsx cannot hold replaced by U+FFFD, so that old rows written
    before the validators can still be exported, showing where a character was."""
    return _NOT_IN_FILES.sub("\ufffd", value)


def spreadsheet_cell(value: Any) -> Any:
    """A value for a CSV or xlsx cell: text made writable, and text a spreadsheet would run as a
    formula (starting with = + - @) given a leading apostrophe."""
    if not isinstance(value, str):
        return value
    value = file_text(value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
