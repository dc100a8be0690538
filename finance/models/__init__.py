"""The finance app's models, one module per topic: the ledger, its exchange rates and theme codes,
closed periods, workbook imports, the roll-ups' stored tables and report exports.

Every model and public name is exported here, so `from finance.models import X` is the one way to
reach them.
"""

from finance.models.codes import (
    DAC_PURPOSE_FALLBACK,
    THEME_SCHEMES,
    CategoryCode,
    CodeScheme,
    ThemeCode,
)
from finance.models.groups import ContributorGroup
from finance.models.imports import ImportRun, PendingImport
from finance.models.in_kind import TECHNICAL_COOPERATION_UNITS, InKindUnit, RateCard, ValuedBy
from finance.models.ledger import (
    IFAD_KINDS,
    MAX_LINE_AMOUNT,
    ContributionKind,
    EntryType,
    FinancialEntry,
    InKindValuation,
    LedgerLock,
    Stage,
)
from finance.models.periods import ClosedPeriod, PeriodException
from finance.models.rates import (
    CENT,
    CURRENCY_CODES,
    ExchangeRate,
    first_of_month,
    to_usd,
    validate_currency,
)
from finance.models.reports import ReportExport
from finance.models.rollup_tables import (
    ALLOCATED_COLUMNS,
    AMOUNT_COLUMNS,
    CELL_AMOUNTS,
    ActivityCount,
    ActivityMoney,
    ActivityPair,
    ActivityQuantity,
    ActivityYearTotal,
    AllYearsCell,
    Grain,
    InKindQuantity,
    PairCount,
    RollupCell,
    RollupRefresh,
    RollupRun,
    RollupSlice,
    amount_column,
    derived_key,
)

__all__ = [
    "ALLOCATED_COLUMNS",
    "AMOUNT_COLUMNS",
    "CELL_AMOUNTS",
    "CENT",
    "CURRENCY_CODES",
    "DAC_PURPOSE_FALLBACK",
    "IFAD_KINDS",
    "MAX_LINE_AMOUNT",
    "TECHNICAL_COOPERATION_UNITS",
    "THEME_SCHEMES",
    "ActivityCount",
    "ActivityMoney",
    "ActivityPair",
    "ActivityQuantity",
    "ActivityYearTotal",
    "AllYearsCell",
    "CategoryCode",
    "ClosedPeriod",
    "CodeScheme",
    "ContributionKind",
    "ContributorGroup",
    "EntryType",
    "ExchangeRate",
    "FinancialEntry",
    "Grain",
    "ImportRun",
    "InKindQuantity",
    "InKindUnit",
    "InKindValuation",
    "LedgerLock",
    "PairCount",
    "PendingImport",
    "PeriodException",
    "RateCard",
    "ReportExport",
    "RollupCell",
    "RollupRefresh",
    "RollupRun",
    "RollupSlice",
    "Stage",
    "ThemeCode",
    "ValuedBy",
    "amount_column",
    "derived_key",
    "first_of_month",
    "to_usd",
    "validate_currency",
]
