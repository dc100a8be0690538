"""Splitting an amount over parts by weights, in whole units (cents, hundredths of a unit), so
that the parts add up exactly to the amount: the largest-remainder rule."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

CENT = Decimal("0.01")


def split_units(total: int, weights: Sequence[int]) -> list[int]:
    """`total` (whole cents, may be negative) over `weights` (non-negative, at least one
    positive): each part's floor, then one more unit to the largest remainders (ties: first)."""
    if len(weights) == 1 and weights[0] > 0:
        return [total]  # most activities: one recipient, one provider
    weight_sum = sum(weights)
    if weight_sum <= 0:
        raise ValueError("weights must have a positive sum")
    sign, amount = (-1, -total) if total < 0 else (1, total)
    parts = [amount * weight // weight_sum for weight in weights]
    remainders = [amount * weight % weight_sum for weight in weights]
    left = amount - sum(parts)
    for index in sorted(range(len(weights)), key=lambda i: -remainders[i])[:left]:
        parts[index] += 1
    return [sign * part for part in parts]


def split_decimal(total: Decimal, weights: Sequence[int]) -> list[Decimal]:
    """A two-decimal amount over `weights`, parts to the hundredth."""
    units = split_units(int((total / CENT).to_integral_value()), weights)
    return [Decimal(unit) * CENT for unit in units]


def to_cents(amount: Decimal) -> int:
    return int((amount / CENT).to_integral_value())


def from_cents(cents: int) -> Decimal:
    return Decimal(cents) * CENT
