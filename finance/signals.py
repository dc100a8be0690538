"""What finance tells the apps above it (counterparts and newer apps).

Finance may not import them (the apps depend one way), so a ledger write that they must react
to sends this signal inside its transaction; the app connects a receiver in its own `receivers`
module. It carries a fact, not an instruction.

- `ledger_changed(activity_ids=..., user=...)`: entries were recorded or corrected on these
  activities (a form, the API or an import run).
"""

from django.dispatch import Signal

ledger_changed = Signal()
