# Arabic: Django's decimal mark and separator ("1.234.567,89", Western digits) but grouped by
# thousands (Django's Arabic formats leave grouping off), and a date-time format of the same
# shape as its date (Django has none for Arabic, so English's would show).
NUMBER_GROUPING = 3
DATETIME_FORMAT = "j F، Y H:i"
