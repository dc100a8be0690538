# English: the day first and a short month, as the portal and IFAD's documents have always written
# it ("5 Dec 2026", not Django's "Dec. 5, 2026"); times on the 24-hour clock.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
YEAR_MONTH_FORMAT = "M Y"
