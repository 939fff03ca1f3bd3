"""Django's own date output in English (the admin's read-only fields, lists and widgets) the way
Settle writes dates everywhere else (`billing.formats.format_day`): 21 Nov 2026."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
