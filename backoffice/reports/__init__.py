"""The back office's reports (`/admin/reports/`): aged receivables and collections, each a
page with its CSV download. The figures come from `payments.reports`; these pages choose
the entity among the user's own, parse the dates and present."""
