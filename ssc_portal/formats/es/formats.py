# Spanish: thousands grouped by a full stop, "1.234.567,89", as issue 23 asks and the partners'
# documents write them (Django's default is a no-break space). Dates are Django's.
THOUSAND_SEPARATOR = "."
