"""The IATI Standard's rulesets, checked on an exported file as a consumer (IATI's validator)
would: the rules beyond the schema and the codelists (dates not in the future, percentages that
sum to 100, a DAC sector beside any other vocabulary, ...).

The rules are IATI's 2.03 activity rules (IATI/IATI-Rulesets, rulesets/standard.json, written in
the form its SPEC.rst describes: a context, a rule type, a case), restated here by id. When
../shared/iati/rulesets/standard.json is present, `standard_rules` reads the published file
instead, so a new rule of the Standard is checked without a change here. Left out: the rules
whose `idCondition` needs the IATI Registry's list of publishers (1.3.13, 1.14.8, 1.14.13 and
the like), and the organisation file's.
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

ACTIVITY = "/iati-activities/iati-activity"
VOCABULARY_1 = "@vocabulary='' or @vocabulary='1' or not(@vocabulary)"
MEASURED = "@measure='1' or @measure='2' or @measure='3' or @measure='4'"


@dataclass(frozen=True)
class Rule:
    id: str
    context: str  # XPath from the document's root
    kind: str  # the ruleset's rule name, e.g. date_order
    case: dict[str, Any]


def _sector_loop(kind: str, rule_id: str, case: dict[str, Any], subs: list[str]) -> Rule:
    """The rules IATI applies to each vocabulary other than 1, one at a time."""
    return Rule(
        rule_id,
        ACTIVITY,
        "loop",
        {"foreach": "sector[@vocabulary != '1']/@vocabulary", "do": {kind: case}, "subs": subs},
    )


RULES: list[Rule] = [
    Rule("1.1.3", ACTIVITY, "unique", {"paths": ["iati-identifier"]}),
    Rule(
        "1.1.21",
        ACTIVITY,
        "startswith",
        {"prefix": ["reporting-org/@ref"], "separator": "-", "paths": ["iati-identifier"]},
    ),
    Rule("6.11.1", ACTIVITY, "atleast_one", {"paths": ["activity-date[@type='1' or @type='2']"]}),
    Rule("6.2.2", ACTIVITY, "atleast_one", {"paths": ["sector", "transaction/sector"]}),
    Rule("4.1.1", ACTIVITY, "one_or_all", {"one": "@xml:lang", "all": "lang"}),
    Rule("6.7.2", ACTIVITY, "one_or_all", {"one": "sector", "all": "sector"}),
    Rule("7.8.1", ACTIVITY, "one_or_all", {"one": "@default-currency", "all": "currency"}),
    Rule("11.1.1", ACTIVITY, "date_now", {"date": "@last-updated-datetime"}),
    *[
        Rule(rule_id, ACTIVITY, "date_order", {"less": less, "more": more})
        for rule_id, less, more in (
            ("11.1.2", "activity-date[@type='1']/@iso-date", "activity-date[@type='3']/@iso-date"),
            ("11.1.3", "activity-date[@type='2']/@iso-date", "activity-date[@type='4']/@iso-date"),
            ("11.1.4", "activity-date[@type='2']/@iso-date", "NOW"),
            ("11.1.5", "activity-date[@type='4']/@iso-date", "NOW"),
            ("11.2.1", "transaction/transaction-date/@iso-date", "NOW"),
            ("11.2.2", "transaction/value/@value-date", "NOW"),
        )
    ],
    *[
        Rule(rule_id, ACTIVITY, "no_spaces", {"paths": [path]})
        for rule_id, path in (
            ("1.3.1", "iati-identifier"),
            ("1.14.1", "reporting-org/@ref"),
            ("1.7.1", "related-activity/@ref"),
        )
    ],
    _sector_loop(
        "strict_sum",
        "2.1.2",
        {
            "condition": "count(sector[@vocabulary = '$1']) > 1",
            "paths": ["sector[@vocabulary = '$1']/@percentage"],
            "sum": 100,
        },
        ["paths", "condition"],
    ),
    _sector_loop(
        "if_then",
        "2.1.1",
        {
            "if": "count(sector[@vocabulary = '$1']) > 1",
            "then": "count(sector[@vocabulary = '$1']) "
            "= count(sector[@vocabulary = '$1']/@percentage)",
        },
        ["if", "then"],
    ),
    _sector_loop(
        "if_then",
        "2.1.4",
        {
            "if": "count(sector[@vocabulary = '$1']) = 1",
            "then": "not(sector[@vocabulary = '$1']/@percentage) "
            "or sector[@vocabulary = '$1']/@percentage = 100",
        },
        ["if", "then"],
    ),
    Rule(
        "3.4.2",
        ACTIVITY,
        "loop",
        {
            "foreach": "recipient-region/@vocabulary",
            "do": {
                "strict_sum": {
                    "condition": "count(recipient-region[@vocabulary = '$1']) "
                    "+ count(recipient-country) > 1",
                    "paths": [
                        "recipient-region[@vocabulary = '$1']/@percentage",
                        "recipient-country/@percentage",
                    ],
                    "sum": 100,
                }
            },
            "subs": ["paths", "condition"],
        },
    ),
    Rule(
        "3.4.4",
        ACTIVITY,
        "loop",
        {
            "foreach": "recipient-region/@vocabulary",
            "do": {
                "if_then": {
                    "if": "count(recipient-region[@vocabulary = '$1']) = 1 "
                    "and not(recipient-country)",
                    "then": "not(recipient-region[@vocabulary = '$1']/@percentage) "
                    "or recipient-region[@vocabulary = '$1']/@percentage = 100",
                }
            },
            "subs": ["if", "then"],
        },
    ),
    Rule(
        "2.1.2",
        ACTIVITY,
        "strict_sum",
        {
            "condition": f"count(sector[{VOCABULARY_1}]/@percentage) > 1",
            "paths": [f"sector[{VOCABULARY_1}]/@percentage"],
            "sum": 100,
        },
    ),
    Rule(
        "3.1.2",
        ACTIVITY,
        "strict_sum",
        {
            "condition": "count(recipient-country) > 1 and not(recipient-region)",
            "paths": ["recipient-country/@percentage"],
            "sum": 100,
        },
    ),
    *[
        Rule(rule_id, ACTIVITY, "range", {"paths": [path], "min": 0, "max": 100})
        for rule_id, path in (
            ("12.1.1", "recipient-country/@percentage"),
            ("12.1.1", "recipient-region/@percentage"),
            ("12.3.1", "sector/@percentage"),
        )
    ],
    *[
        Rule(rule_id, ACTIVITY, "if_then", {"if": condition, "then": then})
        for rule_id, condition, then in (
            (
                "2.2.1",
                "count(sector[@vocabulary=98 or @vocabulary=99]) > 0",
                "count(sector[@vocabulary=98 or @vocabulary=99]/narrative) "
                ">= count(sector[@vocabulary=98 or @vocabulary=99])",
            ),
            (
                "102.1.1",
                "count(sector[not(@vocabulary='')]) + count(sector[not(@vocabulary='1')]) > 0",
                f"count(sector[{VOCABULARY_1}]) > 0",
            ),
            (
                "2.1.1",
                f"count(sector[{VOCABULARY_1}]) > 1",
                f"count(sector[{VOCABULARY_1}]) = count(sector[{VOCABULARY_1}]/@percentage)",
            ),
            (
                "2.1.4",
                f"count(sector[{VOCABULARY_1}]) = 1",
                f"not(sector[{VOCABULARY_1}]/@percentage) "
                f"or sector[{VOCABULARY_1}]/@percentage = 100",
            ),
            ("6.6.2", "count(sector) > 0", "count(transaction/sector) < 1"),
            (
                "3.6.2",
                "recipient-country or recipient-region",
                "not(transaction/recipient-country or transaction/recipient-region)",
            ),
            (
                "3.7.1",
                "not(recipient-country or recipient-region)",
                "transaction[recipient-country or recipient-region]",
            ),
            (
                "3.1.1",
                "count(recipient-country) > 1 and not(recipient-region)",
                "count(recipient-country) = count(recipient-country/@percentage)",
            ),
            (
                "3.1.4",
                "count(recipient-country) = 1 and not(recipient-region)",
                "not(recipient-country/@percentage) or recipient-country/@percentage = 100",
            ),
        )
    ],
    Rule(
        "6.10.1", f"{ACTIVITY}/participating-org", "atleast_one", {"paths": ["@ref", "narrative"]}
    ),
    Rule("1.8.1", f"{ACTIVITY}/participating-org", "no_spaces", {"paths": ["@ref"]}),
    *[
        Rule(rule_id, f"{ACTIVITY}/{parent}/{tag}", kind, case)
        for parent in ("transaction", "planned-disbursement")
        for tag, at_least_one_id, no_spaces_id in (
            ("provider-org", "6.9.1", "1.10.1"),
            ("receiver-org", "6.9.2", "1.15.1"),
        )
        for rule_id, kind, case in (
            (at_least_one_id, "atleast_one", {"paths": ["@ref", "narrative"]}),
            (no_spaces_id, "no_spaces", {"paths": ["@ref"]}),
        )
    ],
    *[
        Rule(
            "8.6.3",
            f"{ACTIVITY}/{tag}",
            "date_order",
            {"less": "period-start/@iso-date", "more": "period-end/@iso-date"},
        )
        for tag in ("budget", "planned-disbursement")
    ],
    Rule(
        "7.5.3",
        f"{ACTIVITY}/budget",
        "time_limit",
        {"start": "period-start/@iso-date", "end": "period-end/@iso-date"},
    ),
    Rule(
        "8.6.1",
        f"{ACTIVITY}/result/indicator/period",
        "date_order",
        {"less": "period-start/@iso-date", "more": "period-end/@iso-date"},
    ),
    Rule(
        "8.10.1",
        f"{ACTIVITY}/result/indicator[{MEASURED}]/period/actual",
        "atleast_one",
        {"paths": ["@value"]},
    ),
    Rule(
        "8.10.2",
        f"{ACTIVITY}/result/indicator[{MEASURED}]/period/actual",
        "if_then",
        {"if": "@value", "then": "number(@value) = @value"},
    ),
    Rule(
        "8.10.3",
        f"{ACTIVITY}/result/indicator[@measure='5']/period/actual",
        "if_then",
        {"if": "@value", "then": "not(@value)"},
    ),
    Rule("4.3.1", "//title", "atleast_one", {"paths": ["narrative/text()"]}),
    Rule("4.4.1", "//description", "atleast_one", {"paths": ["narrative/text()"]}),
]


def standard_rules(path: Path) -> list[Rule]:
    """The published ruleset (rulesets/standard.json) when it is at `path`, else RULES."""
    if not path.exists():
        return RULES
    rules = []
    for context, kinds in json.loads(path.read_text()).items():
        for kind, body in kinds.items():
            for case in body["cases"]:
                if case.get("idCondition"):
                    continue  # needs the IATI Registry's publishers (see the module's doc)
                rule_id = case.get("ruleInfo", {}).get("id", "")
                if kind == "loop":
                    for inner_kind, inner in case["do"].items():
                        for inner_case in inner["cases"]:
                            rules.append(
                                Rule(
                                    inner_case.get("ruleInfo", {}).get("id", ""),
                                    context,
                                    "loop",
                                    {**case, "do": {inner_kind: inner_case}},
                                )
                            )
                else:
                    rules.append(Rule(rule_id, context, kind, case))
    return rules


# --- evaluation ----------------------------------------------------------------------------


def _values(context: etree._Element, paths: list[str]) -> list[str]:
    found = []
    for path in paths:
        for item in context.xpath(path):
            found.append(item.text or "" if isinstance(item, etree._Element) else str(item))
    return found


def _nodes(context: etree._Element, paths: list[str]) -> list[Any]:
    return [item for path in paths for item in context.xpath(path)]


def _moment(text: str) -> datetime.datetime:
    """A date or date-time of the file, comparable with now (dates as their midnight, UTC)."""
    moment = datetime.datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


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


def _failures(
    kind: str,
    case: dict[str, Any],
    context: etree._Element,
    now: datetime.datetime,
    file_seen: set[str],
) -> Iterator[str]:
    """What breaks one rule case in one context (nothing when it holds)."""
    if "condition" in case and not context.xpath(case["condition"]):
        return
    paths = case.get("paths", [])
    match kind:
        case "atleast_one":
            if not _nodes(context, paths):
                yield f"none of {paths}"
        case "no_more_than_one":
            if len(_nodes(context, paths)) > 1:
                yield f"more than one of {paths}"
        case "one_or_all":
            if not context.xpath(case["one"]):
                everything = {
                    "lang": ("narrative", "@xml:lang"),
                    "currency": ("value", "@currency"),
                    "sector": ("transaction", "sector"),
                }[case["all"]]
                tag, needed = everything
                for element in context.xpath(f".//{tag}"):
                    if not element.xpath(needed):
                        yield f"no {case['one']} and a {tag} without {needed}"
        case "date_now":
            for text in _values(context, [case["date"]]):
                if _moment(text) > now:
                    yield f"{case['date']} {text} is in the future"
        case "date_order":
            lesser = _values(context, [case["less"]])
            greater = (
                [now.isoformat()] if case["more"] == "NOW" else _values(context, [case["more"]])
            )
            for less in lesser:
                for more in greater:
                    if _moment(less) > _moment(more):
                        yield f"{case['less']} {less} is after {case['more']} {more}"
        case "time_limit":
            for start, end in zip(
                _values(context, [case["start"]]), _values(context, [case["end"]]), strict=False
            ):
                if (_moment(end) - _moment(start)).days > 366:
                    yield f"{start} to {end} is longer than a year"
        case "regex_matches":
            for value in _values(context, paths):
                if not re.search(case["regex"], value):
                    yield f"{value!r} does not match {case['regex']}"
        case "no_spaces":
            for value in _values(context, paths):
                if re.search(r"\s", value):
                    yield f"{value!r} has spaces"
        case "startswith":
            prefixes = _values(context, case["prefix"])
            separator = case.get("separator", "")
            for value in _values(context, paths):
                if not any(value.startswith(prefix + separator) for prefix in prefixes):
                    yield f"{value!r} does not start with one of {prefixes}"
        case "unique":
            for value in _values(context, paths):
                if value in file_seen:
                    yield f"{value!r} is not unique in the file"
                file_seen.add(value)
        case "sum" | "strict_sum":
            values = _values(context, paths)
            numbers = [_number(value) for value in values]
            if values and (None in numbers or sum(n or 0 for n in numbers) != Decimal(case["sum"])):
                yield f"{paths} sum to {values}, not {case['sum']}"
        case "range":
            for value in _values(context, paths):
                number = _number(value)
                if (
                    number is None
                    or number < case.get("min", number)
                    or number > case.get("max", number)
                ):
                    yield f"{value!r} is outside {case.get('min')}..{case.get('max')}"
        case "if_then":
            if context.xpath(case["if"]) and not context.xpath(case["then"]):
                yield f"{case['if']} holds but not {case['then']}"
        case "loop":
            for value in sorted(set(_values(context, [case["foreach"]]))):
                for inner_kind, inner_case in case["do"].items():
                    for one in inner_case.get("cases", [inner_case]):
                        substituted = _substitute(one, case.get("subs", []), value)
                        yield from _failures(inner_kind, substituted, context, now, file_seen)
        case _:
            raise NotImplementedError(f"rule type {kind}")


def rule_errors(
    document: etree._Element, rules: list[Rule] = RULES, now: datetime.datetime | None = None
) -> list[str]:
    """Every broken rule of `document`, as `rule id (type) at identifier: what`."""
    now = now or datetime.datetime.now(datetime.UTC)
    tree = document.getroottree()
    errors = []
    for rule in rules:
        seen: set[str] = set()
        for context in tree.xpath(rule.context):
            activity = next(context.iterancestors("iati-activity"), context)
            where = activity.findtext("iati-identifier") or context.tag
            for failure in _failures(rule.kind, rule.case, context, now, seen):
                errors.append(f"rule {rule.id} ({rule.kind}) at {where}: {failure}")
    return errors
