"""Reports an accountant reads every week, computed in SQL over the rows: aged receivables
(`aged_receivables`) and collections per period (`collections`). The doors present them."""


def in_currency_order(reports: dict, first: str) -> list:
    """One report per currency: `first` (the entity's default currency) leading, the others
    by code. The back office's tables and every door's CSV list them so."""
    return [reports[code] for code in sorted(reports, key=lambda code: (code != first, code))]
