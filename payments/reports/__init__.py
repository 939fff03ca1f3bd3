"""Reports an accountant reads every week, computed in SQL over the rows: aged receivables
(`aged_receivables`) and collections per period (`collections`). The doors present them."""
