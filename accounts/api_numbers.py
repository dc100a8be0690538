"""Numbers in the API: a JSON number, or a string with a point for decimals and nothing else.

Pages read numbers the way the page's language writes them (accounts.numbers); the API does
not guess: a script sends the same bytes whatever its user's language, and `"0,785"` read as
785 by one client and 0.785 by another is the mistake pages refuse. So a string with a comma,
a space, an exponent or an underscore (which Python's Decimal would take) is refused with a 400
naming the field and saying what to send. Every DecimalField of the API is this class
(tests/api/test_numbers.py walks the serializers), and its OpenAPI description says so.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# What the schema's pattern allows too (ssc_portal.api_schema.decimal_pattern).
DOT_DECIMAL = re.compile(r"^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)$")
RULE = _("A JSON number or a decimal string with a dot, e.g. 0.785 (no commas or spaces).")


def _described(help_text: Any) -> str:
    return f"{help_text} {RULE}" if help_text else str(RULE)


described = lazy(_described, str)


class DecimalField(serializers.DecimalField):
    """DRF's DecimalField that takes a JSON number or a plain decimal string with a dot only."""

    default_error_messages = {
        # DRF's own parsing fails with this key too, without the value: no placeholder.
        "invalid": _(
            "Send a JSON number or a decimal string with a dot, e.g. 0.785 (no commas or spaces)."
        ),
    }

    def __init__(self, *args: Any, **kwargs: Any):
        # The rule joins each field's own description, in the language of the request.
        kwargs["help_text"] = described(kwargs.get("help_text"))
        super().__init__(*args, **kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, str) and not DOT_DECIMAL.match(data.strip()):
            self.fail("invalid")
        return super().to_internal_value(data)
