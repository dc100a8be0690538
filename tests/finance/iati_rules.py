"""The IATI Standard's rulesets, checked on an exported file as a consumer (IATI's validator)
would: the rules beyond the schema and the codelists (dates not in the future, percentages that
sum to 100, a DAC sector beside any other vocabulary, ...).

The rules are IATI's own 2.03 ruleset, shipped in finance/data/iati/rulesets-standard.json
(IATI/IATI-Rulesets, see finance/data/iati/SOURCES), read here and evaluated rule type by rule
type as that repository's SPEC.rst describes them. The rules that need the IATI Registry's list
of publishers are skipped by id (OFFLINE_SKIPPED); everything else in the file is evaluated.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

from finance.iati_codelists import SHIPPED

RULESET = SHIPPED / "rulesets-standard.json"

# The rules a check without the network cannot decide: their `idCondition` (NOT_EXISTING_ORG_ID,
# NOT_EXISTING_ORG_ID_PREFIX) asks whether an identifier is a publisher's known to the IATI
# Registry, and 1.14.8/1.18.8 compare with the Registry's list of agency prefixes (idSets).
# test_iati asserts that each of these is such a rule and that no other rule is skipped.
OFFLINE_SKIPPED = frozenset(
    {
        "1.3.13",  # iati-identifier: symbols, unless prefixed by a registered publisher
        "1.14.8",  # reporting-org/@ref: starts with an agency prefix of the Registry
        "1.14.13",  # reporting-org/@ref: symbols, unless a registered publisher
        "1.8.13",  # participating-org/@ref: the same
        "1.10.13",  # provider-org/@ref: the same
        "1.15.13",  # receiver-org/@ref: the same
        "1.11.13",  # other-identifier/owner-org/@ref: the same
        "1.18.8",  # the organisation file's reporting-org (never in our activity file)
        "1.18.13",
        "1.12.13",
    }
)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str  # "error" or "warning", as the ruleset's ruleInfo says
    context: str  # XPath from the document's root
    kind: str  # the ruleset's rule name, e.g. date_order
    case: dict[str, Any]


def standard_rules(path: Path = RULESET) -> list[Rule]:
    """Every case of the ruleset at `path` but the skipped ones, a loop's cases one by one."""
    rules = []
    for context, kinds in json.loads(path.read_text()).items():
        for kind, body in kinds.items():
            for case in body["cases"]:
                if kind != "loop":
                    rules.append(_rule(context, kind, case, case))
                    continue
                for inner_kind, inner in case["do"].items():
                    for inner_case in inner["cases"]:
                        loop = {**case, "do": {inner_kind: inner_case}}
                        rules.append(_rule(context, kind, loop, inner_case))
    return [rule for rule in rules if rule.id not in OFFLINE_SKIPPED]


def _rule(context: str, kind: str, case: dict[str, Any], described: dict[str, Any]) -> Rule:
    info = described["ruleInfo"]
    return Rule(info["id"], info["severity"], context, kind, case)


def _as_loop(rule: Rule, subs: list[str]) -> Rule:
    return Rule(rule.id, rule.severity, rule.context, rule.kind, {**rule.case, "subs": subs})


def with_supplement(rules: list[Rule]) -> list[Rule]:
    """`rules` and the published loop of 2.1.2 as its message means it: the ruleset substitutes
    the vocabulary into the loop's `paths` but not into its `condition`, which then looks for a
    vocabulary named "$1" and never holds, so percentages of a vocabulary other than 1 that do
    not sum to 100 would pass. The same case with `condition` substituted too checks them."""
    extra = [
        _as_loop(rule, ["paths", "condition"])
        for rule in rules
        if rule.id == "2.1.2" and rule.kind == "loop" and "condition" not in rule.case["subs"]
    ]
    return rules + extra


# --- evaluation ----------------------------------------------------------------------------

XS_DATE = re.compile(r"(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})")


def _text(item: Any) -> str:
    return item.text or "" if isinstance(item, etree._Element) else str(item)


def _values(context: etree._Element, paths: list[str]) -> list[str]:
    return [_text(item) for path in paths for item in context.xpath(path)]


def _day(text: str) -> datetime.date | None:
    """The day of an xs:date or xs:dateTime (its time and zone left out, as IATI's rules do)."""
    match = XS_DATE.match(text.strip())
    if not match:
        return None
    try:
        return datetime.date(*map(int, match.groups()))
    except ValueError:
        return None


def _days(context: etree._Element, path: str, today: datetime.date) -> list[datetime.date | None]:
    return [today] if path == "NOW" else [_day(value) for value in _values(context, [path])]


def _a_year_after(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February: a year later is 1 March
        return day.replace(year=day.year + 1, month=3, day=1)


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None


def _substitute(case: dict[str, Any], keys: list[str], value: str) -> dict[str, Any]:
    def sub(item: Any) -> Any:
        if isinstance(item, str):
            return item.replace("$1", value)
        if isinstance(item, list):
            return [sub(element) for element in item]
        return item

    return {key: sub(item) if key in keys else item for key, item in case.items()}


# What `all` of one_or_all names: the elements that must each carry the thing `one` would
# have declared for them all (IATI-Rulesets' own evaluator, iatirulesets/__init__.py).
ONE_OR_ALL = {
    "lang": (("descendant::narrative",), "@xml:lang"),
    "currency": (
        ("descendant::value", "descendant::forecast", "descendant::loan-status"),
        "@currency",
    ),
    "sector": (("transaction",), "sector"),
}


def _failures(
    kind: str, case: dict[str, Any], context: etree._Element, now: datetime.datetime
) -> Iterator[str]:
    """What breaks one rule case in one context (nothing when it holds)."""
    if "condition" in case and not context.xpath(case["condition"]):
        return
    paths = case.get("paths", [])
    match kind:
        case "atleast_one":
            if not _values(context, paths):
                yield f"none of {paths}"
        case "no_more_than_one":
            if len(_values(context, paths)) > 1:
                yield f"more than one of {paths}"
        case "one_or_all":
            if not context.xpath(case["one"]):
                elements, needed = ONE_OR_ALL[case["all"]]
                for element in (found for path in elements for found in context.xpath(path)):
                    if not element.xpath(needed):
                        yield f"no {case['one']} and a {element.tag} without {needed}"
        case "date_now" | "date_order" | "time_limit" | "between_dates":
            yield from _date_failures(kind, case, context, now)
        case "regex_matches" | "regex_no_matches":
            for value in _values(context, paths):
                if bool(re.search(case["regex"], value)) != (kind == "regex_matches"):
                    yield f"{value!r} against {case['regex']}"
        case "no_spaces":
            for value in _values(context, paths):
                if value != value.strip():
                    yield f"{value!r} starts or ends with spaces"
        case "startswith":
            prefixes = _values(context, case["prefix"])
            separator = case.get("separator", "")
            for value in _values(context, paths):
                if not any(value.startswith(prefix + separator) for prefix in prefixes):
                    yield f"{value!r} does not start with one of {prefixes}"
        case "unique":
            values = _values(context, paths)
            if len(values) != len(set(values)):
                yield f"{paths} repeat a value: {values}"
        case "strict_sum":
            values = _values(context, paths)
            numbers = [_number(value) for value in values]
            if None in numbers or sum(n or 0 for n in numbers) != Decimal(case["sum"]):
                yield f"{paths} are {values}, not a sum of {case['sum']}"
        case "range":
            low = Decimal(str(case.get("min", "-Infinity")))
            high = Decimal(str(case.get("max", "Infinity")))
            for value in _values(context, paths):
                number = _number(value)
                if number is None or number < low or number > high:
                    yield f"{value!r} is outside {case.get('min')}..{case.get('max')}"
        case "if_then":
            if context.xpath(case["if"]) and not context.xpath(case["then"]):
                yield f"{case['if']} holds but not {case['then']}"
        case "loop":
            for value in sorted(set(_values(context, [case["foreach"]]))):
                for inner_kind, inner_case in case["do"].items():
                    substituted = _substitute(inner_case, case["subs"], value)
                    yield from _failures(inner_kind, substituted, context, now)
        case _:
            raise NotImplementedError(f"rule type {kind}")


def _date_failures(
    kind: str, case: dict[str, Any], context: etree._Element, now: datetime.datetime
) -> Iterator[str]:
    """What breaks one of the rules on dates: none in the future, in order, within limits."""
    today = now.date()
    match kind:
        case "date_now":
            for text in _values(context, [case["date"]]):
                moment = datetime.datetime.fromisoformat(text.strip())
                if (moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)) > now:
                    yield f"{case['date']} {text} is in the future"
        case "date_order":
            # Every pair rather than the first of each (a file has many transaction dates).
            for less in _days(context, case["less"], today):
                for more in _days(context, case["more"], today):
                    if less is None or more is None or less > more:
                        yield f"{case['less']} {less} is after {case['more']} {more}"
        case "time_limit":
            starts, ends = _days(context, case["start"], today), _days(context, case["end"], today)
            for start, end in zip(starts, ends, strict=False):
                if start is None or end is None or end > _a_year_after(start):
                    yield f"{start} to {end} is longer than a year"
        case "between_dates":
            bounds = _days(context, case["start"], today) + _days(context, case["end"], today)
            for day in _days(context, case["date"], today):
                if None in bounds or day is None or not bounds[0] <= day <= bounds[-1]:
                    yield f"{case['date']} {day} is not within {bounds}"
        case _:
            raise NotImplementedError(f"date rule type {kind}")


def rule_errors(
    document: etree._Element,
    rules: list[Rule] | None = None,
    now: datetime.datetime | None = None,
) -> list[str]:
    """Every broken rule of `document`, as `rule id (type, severity) at identifier: what`;
    the shipped ruleset (with_supplement) unless `rules` are given."""
    now = now or datetime.datetime.now(datetime.UTC)
    tree = document.getroottree()
    errors = []
    for rule in rules if rules is not None else with_supplement(standard_rules()):
        for context in tree.xpath(rule.context):
            activity = next(context.iterancestors("iati-activity"), context)
            where = activity.findtext("iati-identifier") or context.tag
            for failure in _failures(rule.kind, rule.case, context, now):
                errors.append(
                    f"rule {rule.id} ({rule.kind}, {rule.severity}) at {where}: {failure}"
                )
    return errors
