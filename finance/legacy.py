"""Reading the corporate SSC workbook (../shared/legacy/README.md) as people really keep it.

This module only reads and checks: it turns an .xlsx file into typed rows plus a list of problems,
each naming its sheet, row and column. Writing is finance.importer's job, and happens only for a
file without problems.

Safety: the file is checked as a zip before any XML is parsed (size, entry count, uncompressed size
and compression ratio, so a zip bomb is refused unread); finance.xlsx reads the cells and refuses
XML that declares a DTD; formulas are never evaluated: a formula in a data cell is refused, one in
the totals row is reported and not trusted.
"""

from __future__ import annotations

import datetime
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core import signing
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from accounts import formatting
from accounts.text import ssc_id_problem, text_problem
from activities.country_names import CountryMatcher
from activities.models import (
    Country,
    Division,
    FundingNature,
    Modality,
    Status,
    Theme,
    normalize_name,
)

from . import xlsx
from .amounts import AmountError, parse_amount
from .models import CURRENCY_CODES, Stage

MAX_FILE_BYTES = 25 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024
MAX_ZIP_ENTRIES = 500
MAX_COMPRESSION_RATIO = 150
HEADER_SEARCH_ROWS = 30

ACTIVITIES = "Activities"
CONTRIBUTIONS = "Contributions"
# The export's stamp: a custom document property (spreadsheets keep those when they save a file)
# holding the export's moment, signed with the portal's secret key, so that only a file this
# portal wrote is taken to have been made then.
STAMP_PROPERTY = "SSC Portal export"
STAMP_SALT = "finance.workbook-export"


ACTIVITY_COLUMNS = {
    "ssc id": "ssc_id",
    "activity": "title",
    "nature of activity": "nature",
    "year": "year",
    "lead division": "division",
    "provider countries": "providers",
    "receiver countries": "receivers",
    "modality": "modality",
    "theme": "theme",
    "status": "status",
    "ifad planned": "planned",
    "ifad allocated": "allocated",
    "ifad spent": "spent",
    "notes": "notes",
}
ACTIVITY_REQUIRED = ("ssc_id", "title", "nature", "year", "division", "modality", "status")
ACTIVITY_HEADERS = {value: key for key, value in ACTIVITY_COLUMNS.items()}

CONTRIBUTION_COLUMNS = {
    "ssc id": "ssc_id",
    "contributor": "contributor",
    "contributor type": "contributor_type",
    "kind": "kind",
    "currency": "currency",
    "planned": "planned",
    "allocated": "allocated",
    "spent": "spent",
    "notes": "notes",
}
CONTRIBUTION_REQUIRED = ("ssc_id", "contributor", "kind", "currency")

NATURES = {
    "grant-funded": FundingNature.GRANT,
    "grant funded": FundingNature.GRANT,
    "grant": FundingNature.GRANT,
    "in project": FundingNature.IN_PROJECT,
    "in-project": FundingNature.IN_PROJECT,
    "administrative budget": FundingNature.ADMIN_BUDGET,
    "admin budget": FundingNature.ADMIN_BUDGET,
}
MODALITIES = {
    "south-south": Modality.SOUTH_SOUTH,
    "south south": Modality.SOUTH_SOUTH,
    "triangular": Modality.TRIANGULAR,
    "trilateral": Modality.TRILATERAL,
}
KINDS = {
    "cofinancing": "cofinancing",
    "co-financing": "cofinancing",
    "in-kind": "in_kind",
    "in kind": "in_kind",
}
STAGE_COLUMNS: tuple[str, ...] = (Stage.PLANNED.value, Stage.ALLOCATED.value, Stage.SPENT.value)


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}, row {self.row}" if self.row else self.sheet
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.message}" if where else self.message


@dataclass
class ActivityRow:
    row: int
    ssc_id: str
    title: str
    funding_nature: str
    year: int
    division: Division
    providers: list[Country]
    receivers: list[Country]
    modality: str
    themes: list[Theme]
    status: str
    ifad: dict[str, Decimal | None]
    notes: str


@dataclass
class ContributionRow:
    row: int
    ssc_id: str
    contributor: str
    contributor_type: str
    kind: str
    currency: str
    amounts: dict[str, Decimal | None]
    notes: str


@dataclass
class ParsedWorkbook:
    activities: list[ActivityRow] = field(default_factory=list)
    contributions: list[ContributionRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # Every SSC ID on the Activities sheet, including rows with problems: a contribution for
    # one of them is reported against its activity's row, not as an unknown ID.
    ids_in_file: set[str] = field(default_factory=set)
    # ACTIVITIES / CONTRIBUTIONS -> the title of the sheet read for it.
    sheets: dict[str, str] = field(default_factory=dict)
    # When the portal exported the file (its stamp); None for a file without a valid stamp.
    made_at: datetime.datetime | None = None


def export_stamp(when: datetime.datetime) -> str:
    """The value of the export's STAMP_PROPERTY."""
    return signing.dumps({"exported_at": when.isoformat()}, salt=STAMP_SALT)


def read_stamp(value: str) -> datetime.datetime | None:
    """The export moment a stamp states, or None when this portal did not sign it."""
    try:
        data = signing.loads(value, salt=STAMP_SALT)
        return datetime.datetime.fromisoformat(data["exported_at"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


class UnsafeFile(Exception):
    """The upload is not a workbook we are willing to open."""


def check_container(handle: IO[bytes]) -> None:
    """Refuse what is not a modest .xlsx before any XML is parsed."""
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    if size > MAX_FILE_BYTES:
        raise UnsafeFile(_("The file is larger than %(mb)d MB.") % {"mb": MAX_FILE_BYTES // 2**20})
    if handle.read(4) != b"PK\x03\x04":
        raise UnsafeFile(_("This is not an Excel .xlsx workbook."))
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            entries = archive.infolist()
            names = {entry.filename for entry in entries}
    except zipfile.BadZipFile:
        raise UnsafeFile(_("The workbook is damaged (not a readable .xlsx file).")) from None
    finally:
        handle.seek(0)
    if "xl/workbook.xml" not in names:
        raise UnsafeFile(_("This is not an Excel .xlsx workbook."))
    if "xl/vbaProject.bin" in names:
        raise UnsafeFile(_("Workbooks with macros are not accepted: save it as .xlsx."))
    if len(entries) > MAX_ZIP_ENTRIES:
        raise UnsafeFile(_("The workbook has too many parts to be a plain spreadsheet."))
    total = sum(entry.file_size for entry in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UnsafeFile(
            _("The workbook unpacks to more than %(mb)d MB.")
            % {"mb": MAX_UNCOMPRESSED_BYTES // 2**20}
        )
    for entry in entries:
        if entry.compress_size and entry.file_size / entry.compress_size > MAX_COMPRESSION_RATIO:
            raise UnsafeFile(_("The workbook is compressed suspiciously well (a zip bomb?)."))


def _header_key(value: Any) -> str:
    text = " ".join(str(value or "").replace("\n", " ").split()).casefold()
    return re.sub(r"\s*\((us\$|usd)\)$", "", text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    # Our export writes "'=..." so that no spreadsheet runs it; read it back as typed.
    if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@"):
        return text[1:]
    return text


class _SheetReader:
    def __init__(
        self, name: str, columns: dict[str, str], required: tuple[str, ...], result: ParsedWorkbook
    ):
        self.name = name
        self.columns = columns
        self.required = required
        self.result = result
        self.index: dict[str, int] = {}

    def problem(self, row: int, column: str, message: str) -> None:
        self.result.problems.append(Problem(self.name, row, column, message))

    def warning(self, row: int, column: str, message: str) -> None:
        self.result.warnings.append(Problem(self.name, row, column, message))

    def find_header(self, number: int, cells: list[Any]) -> bool:
        keys = [_header_key(cell) for cell in cells]
        if "ssc id" not in keys:
            return False
        for position, key in enumerate(keys):
            if key in self.columns and self.columns[key] not in self.index:
                self.index[self.columns[key]] = position
        missing = [name for name in self.required if name not in self.index]
        labels = {v: k for k, v in self.columns.items()}
        for name in missing:
            self.problem(number, labels[name], _("This column is missing from the header row."))
        return True

    def missing_header(self) -> None:
        self.problem(
            0,
            "",
            _("No header row with 'SSC ID' found in the first %(n)d rows.")
            % {"n": HEADER_SEARCH_ROWS},
        )

    def cell(self, cells: list[Any], name: str) -> Any:
        position = self.index.get(name)
        if position is None or position >= len(cells):
            return None
        return cells[position]

    def refuse_formulas(self, number: int, cells: list[Any]) -> None:
        """Formulas are not evaluated: only the amounts' own check says more about them."""
        if any(_is_formula(cell) for cell in cells):
            for name in self.index:
                if _is_formula(self.cell(cells, name)) and name not in STAGE_COLUMNS:
                    self.problem(
                        number,
                        self.column_label(name),
                        _("A formula is not accepted here: type the value."),
                    )

    def text(self, number: int, cells: list[Any], name: str) -> str:
        """The cell as text; a problem naming the row and column when the portal refuses it."""
        text = _text(self.cell(cells, name))
        problem = text_problem(text)
        if problem:
            self.problem(number, self.column_label(name), problem)
        return text

    def column_label(self, name: str) -> str:
        position = self.index.get(name)
        heading = {v: k for k, v in self.columns.items()}[name]
        if position is None:
            return heading
        return f"{get_column_letter(position + 1)} ({heading})"


def _is_formula(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("=")


def _amount(reader: _SheetReader, number: int, cells: list[Any], name: str) -> Decimal | None:
    value = reader.cell(cells, name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    message = ""
    if _is_formula(value):
        message = _("A formula is not accepted here: type the amount.")
    else:
        try:
            amount = parse_amount(value)
        except AmountError as error:
            message = error.message or _("%(value)r is not an amount.") % {"value": str(value)}
        else:
            if amount < 0:
                message = _("Amounts cannot be negative (%(value)s).") % {"value": amount}
            elif amount != amount.quantize(Decimal("0.01")):
                message = _("Amounts are kept to the cent: %(value)s has more decimals.") % {
                    "value": amount
                }
            else:
                return amount
    reader.problem(number, reader.column_label(name), message)
    return None


def _year(reader: _SheetReader, number: int, cells: list[Any]) -> int | None:
    value = reader.cell(cells, "year")
    text = _text(value)
    column = reader.column_label("year")
    if isinstance(value, datetime.date):
        return value.year
    if not re.fullmatch(r"\d{4}(\.0+)?", text):
        reader.problem(number, column, _("%(value)r is not a year.") % {"value": text})
        return None
    year = int(float(text))
    if not 1978 <= year <= datetime.date.today().year + 10:
        reader.problem(number, column, _("%(value)s is not a plausible year.") % {"value": year})
        return None
    return year


def read_workbook(handle: IO[bytes], *, known_ssc_ids: set[str]) -> ParsedWorkbook:
    """Check and read both sheets. `known_ssc_ids`: activities already in the portal."""
    check_container(handle)
    result = ParsedWorkbook()
    handle.seek(0)
    try:
        with zipfile.ZipFile(handle) as archive:
            workbook = xlsx.open_workbook(archive)
            stamp = xlsx.custom_properties(archive).get(STAMP_PROPERTY)
            if stamp is not None:
                result.made_at = read_stamp(stamp)
                if result.made_at is None:
                    result.warnings.append(
                        Problem(
                            "",
                            0,
                            "",
                            _(
                                "The file's export stamp was not written by this portal (or "
                                "was altered): it is taken as made at the last import."
                            ),
                        )
                    )
            for wanted, columns in (
                (ACTIVITIES, ACTIVITY_COLUMNS),
                (CONTRIBUTIONS, CONTRIBUTION_COLUMNS),
            ):
                title = _find_sheet(workbook, wanted, columns)
                if title is None:
                    result.problems.append(
                        Problem(
                            wanted,
                            0,
                            "",
                            _(
                                "No sheet has this sheet's header row (%(columns)s) in its "
                                "first %(n)d rows."
                            )
                            % {"columns": _header_labels(columns), "n": HEADER_SEARCH_ROWS},
                        )
                    )
                else:
                    result.sheets[wanted] = title
            if result.problems:
                return result
            _read_activities(
                workbook.rows(result.sheets[ACTIVITIES]), result, result.sheets[ACTIVITIES]
            )
            _read_contributions(
                workbook.rows(result.sheets[CONTRIBUTIONS]),
                result,
                known_ssc_ids,
                result.sheets[CONTRIBUTIONS],
            )
    except xlsx.WorkbookError as error:
        raise UnsafeFile(str(error)) from None
    finally:
        handle.seek(0)
    return result


def _header_labels(columns: dict[str, str]) -> str:
    required = ACTIVITY_REQUIRED if columns is ACTIVITY_COLUMNS else CONTRIBUTION_REQUIRED
    labels = {name: heading for heading, name in columns.items()}
    # As the export writes them: "SSC ID", "Activity", "Lead division"...
    return ", ".join(
        f"'{'SSC ID' if name == 'ssc_id' else labels[name].capitalize()}'" for name in required
    )


def _find_sheet(workbook: xlsx.Workbook, wanted: str, columns: dict[str, str]) -> str | None:
    """The title of the sheet to read for `wanted`: the one of that name when its header row
    fits, else the first whose header row has every required column of `wanted` (people keep
    the workbook as "SSC activities 2024"), else the one of that name, whose header the reader
    then reports on."""
    by_name = next((t for t in workbook.sheets if t.strip().casefold() == wanted.casefold()), None)
    candidates = [by_name] if by_name is not None else []
    candidates += [title for title in workbook.sheets if title != by_name]
    required = ACTIVITY_REQUIRED if columns is ACTIVITY_COLUMNS else CONTRIBUTION_REQUIRED
    for title in candidates:
        for number, cells in workbook.rows(title):
            keys = {columns.get(_header_key(cell)) for cell in cells}
            if "ssc_id" in keys and all(name in keys for name in required):
                return title
            if number >= HEADER_SEARCH_ROWS:
                break
    return by_name


@dataclass
class _ActivityLookups:
    """What the Activities sheet's names are matched against, read once per file."""

    countries: CountryMatcher
    divisions: dict[str, Division]
    themes: dict[str, Theme]
    statuses: dict[str, str]

    @classmethod
    def load(cls) -> _ActivityLookups:
        matcher = CountryMatcher(Country.objects.select_related("division"))
        divisions = {d.code.casefold(): d for d in Division.objects.all()}
        divisions.setdefault("global", divisions.get("glb"))  # type: ignore[arg-type]
        themes = {normalize_name(t.name): t for t in Theme.objects.all()}
        statuses = {str(label).casefold(): value for value, label in Status.choices}
        statuses.update({value: value for value in Status.values})
        return cls(matcher, divisions, themes, statuses)


def _read_activities(
    rows: Iterator[tuple[int, list[Any]]], result: ParsedWorkbook, title: str = ACTIVITIES
) -> None:
    reader = _SheetReader(title, ACTIVITY_COLUMNS, ACTIVITY_REQUIRED, result)
    lookups = _ActivityLookups.load()
    header_found = False
    seen: dict[str, int] = {}
    sums: dict[str, Decimal] = dict.fromkeys(STAGE_COLUMNS, Decimal(0))
    for number, cells in rows:
        if not header_found:
            header_found = reader.find_header(number, cells)
            if number >= HEADER_SEARCH_ROWS and not header_found:
                break
            continue
        if not any(_text(cell) for cell in cells):
            continue
        title = reader.text(number, cells, "title")
        ssc_id = _text(reader.cell(cells, "ssc_id")).upper()
        if title.casefold() == "total" and not ssc_id:
            _check_totals(reader, number, cells, sums)
            continue
        problems_before = len(result.problems)
        reader.refuse_formulas(number, cells)
        _check_ssc_id(reader, number, ssc_id, seen)
        result.ids_in_file.add(ssc_id)
        activity = _activity_row(reader, number, cells, lookups, ssc_id=ssc_id, title=title)
        if len(result.problems) > problems_before:
            continue
        for stage, amount in activity.ifad.items():
            sums[stage] += amount or 0
        result.activities.append(activity)
    if not header_found:
        reader.missing_header()


def _check_ssc_id(reader: _SheetReader, number: int, ssc_id: str, seen: dict[str, int]) -> None:
    """An SSC ID is well formed and on one row only; `seen` keeps the rows read so far."""
    if ssc_id_problem(ssc_id):
        reader.problem(
            number,
            reader.column_label("ssc_id"),
            _("%(value)r is not an SSC ID like SSC-2010-01.") % {"value": ssc_id},
        )
    elif ssc_id in seen:
        reader.problem(
            number,
            reader.column_label("ssc_id"),
            _("%(id)s is also on row %(other)d.") % {"id": ssc_id, "other": seen[ssc_id]},
        )
    else:
        seen[ssc_id] = number


def _activity_row(
    reader: _SheetReader,
    number: int,
    cells: list[Any],
    lookups: _ActivityLookups,
    *,
    ssc_id: str,
    title: str,
) -> ActivityRow:
    """The row as read, each cell's problem reported; the caller drops a row with problems,
    so the values left empty by a problem never go further."""
    if not title:
        reader.problem(number, reader.column_label("title"), _("The title is empty."))
    elif len(title) > 300:
        reader.problem(
            number, reader.column_label("title"), _("The title is longer than 300 characters.")
        )
    nature = _choice(
        reader,
        number,
        cells,
        "nature",
        NATURES,
        _("%(value)r is not grant-funded, in project or administrative budget."),
    )
    year = _year(reader, number, cells)
    division = _choice(
        reader,
        number,
        cells,
        "division",
        lookups.divisions,
        _("%(value)r is not a division (APR, ESA, LAC, NEN, WCA or Global)."),
    )
    countries = {
        name: _countries(reader, number, cells, name, lookups.countries)
        for name in ("providers", "receivers")
    }
    modality = _choice(
        reader,
        number,
        cells,
        "modality",
        MODALITIES,
        _("%(value)r is not South-South, Triangular or Trilateral."),
    )
    row_themes = _themes(reader, number, cells, lookups.themes)
    status = _choice(
        reader,
        number,
        cells,
        "status",
        lookups.statuses,
        _(
            "%(value)r is not a status (Pipeline, Approved, Ongoing, Completed, "
            "Closed, Suspended, Cancelled)."
        ),
    )
    ifad = {stage: _amount(reader, number, cells, stage) for stage in STAGE_COLUMNS}
    notes = reader.text(number, cells, "notes")
    return ActivityRow(
        row=number,
        ssc_id=ssc_id,
        title=title,
        funding_nature=nature,  # type: ignore[arg-type]
        year=year,  # type: ignore[arg-type]
        division=division,  # type: ignore[arg-type]
        providers=countries["providers"],
        receivers=countries["receivers"],
        modality=modality,  # type: ignore[arg-type]
        themes=row_themes,
        status=status,  # type: ignore[arg-type]
        ifad=ifad,
        notes=notes,
    )


def _choice[T](
    reader: _SheetReader,
    number: int,
    cells: list[Any],
    name: str,
    choices: dict[str, T],
    message: str,
) -> T | None:
    """The choice the cell names (case aside); `message` (with the cell as %(value)r) when none."""
    found = choices.get(_text(reader.cell(cells, name)).casefold())
    if found is None:
        reader.problem(
            number,
            reader.column_label(name),
            message % {"value": _text(reader.cell(cells, name))},
        )
    return found


def _countries(
    reader: _SheetReader, number: int, cells: list[Any], name: str, matcher: CountryMatcher
) -> list[Country]:
    found, unknown = matcher.match_list(_text(reader.cell(cells, name)))
    for text in unknown:
        reader.problem(
            number,
            reader.column_label(name),
            _("Unknown country %(name)r.") % {"name": text},
        )
    return found


def _themes(
    reader: _SheetReader, number: int, cells: list[Any], themes: dict[str, Theme]
) -> list[Theme]:
    """The corporate themes the cell names, separated by semicolons; at least one."""
    row_themes = []
    for part in re.split(r"\s*;\s*", _text(reader.cell(cells, "theme"))):
        if not part:
            continue
        theme = themes.get(normalize_name(part))
        if theme is None:
            reader.problem(
                number,
                reader.column_label("theme"),
                _("%(value)r is not one of the corporate themes.") % {"value": part},
            )
        else:
            row_themes.append(theme)
    if not row_themes and not reader.cell(cells, "theme"):
        reader.problem(number, reader.column_label("theme"), _("Give the theme."))
    return row_themes


def _check_totals(
    reader: _SheetReader, number: int, cells: list[Any], sums: dict[str, Decimal]
) -> None:
    for stage in STAGE_COLUMNS:
        value = reader.cell(cells, stage)
        if value is None or _text(value) == "":
            continue
        column = reader.column_label(stage)
        if _is_formula(value):
            reader.warning(
                number,
                column,
                _(
                    "The totals row holds a formula; formulas are not "
                    "evaluated, so it was not checked."
                ),
            )
            continue
        try:
            stated = parse_amount(value)
        except AmountError as error:
            reader.warning(
                number,
                column,
                error.message
                or _("The total %(value)r is not a number.") % {"value": _text(value)},
            )
            continue
        if stated != sums[stage]:
            reader.warning(
                number,
                column,
                _("The totals row says %(stated)s but the rows add up to %(sum)s.")
                % {"stated": formatting.amount(stated), "sum": formatting.amount(sums[stage])},
            )


def _read_contributions(
    rows: Iterator[tuple[int, list[Any]]],
    result: ParsedWorkbook,
    known: set[str],
    title: str = CONTRIBUTIONS,
) -> None:
    reader = _SheetReader(title, CONTRIBUTION_COLUMNS, CONTRIBUTION_REQUIRED, result)
    header_found = False
    for number, cells in rows:
        if not header_found:
            header_found = reader.find_header(number, cells)
            if number >= HEADER_SEARCH_ROWS and not header_found:
                break
            continue
        if not any(_text(cell) for cell in cells):
            continue
        ssc_id = _text(reader.cell(cells, "ssc_id")).upper()
        contributor = reader.text(number, cells, "contributor")
        if not ssc_id and contributor.casefold() == "total":
            continue
        problems_before = len(result.problems)
        reader.refuse_formulas(number, cells)
        if ssc_id not in result.ids_in_file and ssc_id not in known:
            reader.problem(
                number,
                reader.column_label("ssc_id"),
                _("%(id)r is neither in the Activities sheet nor in the portal.") % {"id": ssc_id},
            )
        if not contributor:
            reader.problem(number, reader.column_label("contributor"), _("Name the contributor."))
        elif len(contributor) > 255:
            reader.problem(
                number,
                reader.column_label("contributor"),
                _("The name is longer than 255 characters."),
            )
        kind = KINDS.get(_text(reader.cell(cells, "kind")).casefold())
        if kind is None:
            reader.problem(
                number,
                reader.column_label("kind"),
                _("%(value)r is not Cofinancing or In-kind.")
                % {"value": _text(reader.cell(cells, "kind"))},
            )
        currency = _text(reader.cell(cells, "currency")).upper() or "USD"
        if currency not in CURRENCY_CODES:
            reader.problem(
                number,
                reader.column_label("currency"),
                _("%(value)r is not an ISO 4217 currency code.") % {"value": currency},
            )
        amounts = {stage: _amount(reader, number, cells, stage) for stage in STAGE_COLUMNS}
        contributor_type = reader.text(number, cells, "contributor_type")
        notes = reader.text(number, cells, "notes")
        if len(result.problems) > problems_before:
            continue
        result.contributions.append(
            ContributionRow(
                row=number,
                ssc_id=ssc_id,
                contributor=contributor,
                contributor_type=contributor_type,
                kind=kind,  # type: ignore[arg-type]
                currency=currency,
                amounts=amounts,
                notes=notes,
            )
        )
    if not header_found:
        reader.missing_header()
