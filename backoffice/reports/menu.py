"""The "Reports" section of the admin's app list (the index's "All sections" and the side
navigation), listing the report pages the user has the permission for."""

from django.urls import reverse

from backoffice.reports.common import AGED_RECEIVABLES_PERMISSION, COLLECTIONS_PERMISSION

PAGES = [
    (
        "Aged receivables",
        "AgedReceivables",
        "reports:aged-receivables",
        AGED_RECEIVABLES_PERMISSION,
    ),
    ("Collections", "Collections", "reports:collections", COLLECTIONS_PERMISSION),
]


def reports_app(request) -> dict | None:
    """The section as Django's app list describes an app, or None without any permission."""
    pages = [
        {
            "name": name,
            "object_name": object_name,
            "admin_url": reverse(url_name),
            "add_url": None,
            "view_only": True,
            "perms": {"view": True},
        }
        for name, object_name, url_name, permission in PAGES
        if request.user.has_perm(permission)
    ]
    if not pages:
        return None
    return {
        "name": "Reports",
        "app_label": "reports",
        "app_url": pages[0]["admin_url"],
        "has_module_perms": True,
        "models": pages,
    }


def add_reports_to_app_list(site) -> None:
    """Make `site` list the Reports section after its apps (not on an app's own index)."""
    app_list = site.get_app_list

    def get_app_list(request, app_label=None):
        apps = app_list(request, app_label)
        section = reports_app(request) if app_label is None else None
        return [*apps, section] if section else apps

    site.get_app_list = get_app_list
