"""What a newcomer meets first: the site root, the favicon, and the admin's "View site"."""

import pytest
from django.contrib import admin

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_site_root_leads_to_the_portal(client):
    response = client.get("/")

    assert (response.status_code, response["Location"]) == (302, "/portal/")


def test_favicon_ico_is_served(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")

    assert (response.status_code, response["Location"]) == (302, "/static/settle/favicon.svg")
    with open(finders.find("settle/favicon.svg"), "rb") as icon:
        body = icon.read()
    assert body.startswith(b"<svg") and b"#2f5bd3" in body


def test_admin_and_portal_pages_link_the_icon_and_view_site_goes_to_the_portal(client):
    icon = '<link rel="icon" href="/static/settle/favicon.svg" type="image/svg+xml">'
    assert icon in client.get("/portal/login/").content.decode()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    page = client.get("/admin/").content.decode()

    assert icon in page
    assert admin.site.site_url == "/portal/"
    assert '<a href="/portal/">View site</a>' in page
