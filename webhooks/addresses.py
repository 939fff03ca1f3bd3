"""Where an endpoint may point: no server-side request forgery.

A URL whose host resolves to a loopback, private, link-local, multicast, reserved or
cloud-metadata address is refused, when the endpoint is saved and again at every
delivery (a name can be re-pointed after it was checked); the delivery then connects to
the address that was checked. Production URLs must be HTTPS. `SETTLE_WEBHOOKS_ALLOW_PRIVATE`
relaxes both, for local development and tests.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings

from billing.errors import ValidationError

METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
}
MAX_URL_LENGTH = 2048


def _forbidden(message: str) -> ValidationError:
    return ValidationError(message, code="webhook_url_forbidden", param="url")


def address_is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not (
        address in METADATA_ADDRESSES
        or address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def url_parts(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an endpoint URL, or a `webhook_url_forbidden` error."""
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise ValidationError("Give the endpoint's URL.", code="invalid_url", param="url")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise ValidationError(f"Not a URL: {error}.", code="invalid_url", param="url") from None
    scheme, host = parts.scheme.lower(), parts.hostname or ""
    if scheme not in ("http", "https") or not host:
        raise ValidationError(
            "The URL must start with https:// and name a host.", code="invalid_url", param="url"
        )
    if parts.username or parts.password:
        raise _forbidden("The URL may not carry a user name or password.")
    if scheme != "https" and not settings.SETTLE_WEBHOOKS_ALLOW_PRIVATE:
        raise _forbidden("Webhook endpoints must use https://.")
    return scheme, host, port or (443 if scheme == "https" else 80)


def url_addresses(url: str) -> tuple[str, str, int, list[str]]:
    """Resolve an endpoint URL and check every address it has: (scheme, host, port, addresses).

    Refused (`webhook_url_forbidden`) when any address is not public, unless private
    addresses are allowed; a name that does not resolve is refused too.
    """
    scheme, host, port = url_parts(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise _forbidden(f"The host {host} does not resolve.") from None
    addresses = []
    for info in infos:
        text = info[4][0].split("%", 1)[0]
        if text not in addresses:
            addresses.append(text)
    if not settings.SETTLE_WEBHOOKS_ALLOW_PRIVATE:
        for text in addresses:
            if not address_is_public(ipaddress.ip_address(text)):
                raise _forbidden(
                    f"The host {host} resolves to {text}, a private or reserved address: "
                    "webhooks only go to public addresses."
                )
    if not addresses:
        raise _forbidden(f"The host {host} does not resolve.")
    return scheme, host, port, addresses


def url_check(url: str) -> None:
    """Refuse a URL no endpoint may have (see `url_addresses`)."""
    url_addresses(url)
