"""List filters shared by the back office's lists."""

from django.contrib import admin


class HiddenByDefaultFilter(admin.SimpleListFilter):
    """A filter whose unfiltered choice hides some rows (deleted payments, archived
    customers): it is named `default_label`, and `lookup_choices` show them too or alone."""

    default_label = "All"

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": self.default_label,
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }
