"""Where a webhook may post: an http(s) address whose host resolves to public addresses only.

A webhook is a request our server makes on a subscriber's behalf; pointed at 127.0.0.1, a private
network or the cloud's metadata address (169.254.169.254), it would reach what only the server
reaches (blind SSRF). The check runs at subscription and again before each delivery (a name can be
re-pointed in between). An operator setting allows internal targets (an intranet, the tests)."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from sentinelle.errors import Invalid

FIELD = "webhook_url"


def check(url: str, *, allow_private: bool = False) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("l'adresse du webhook doit commencer par http:// ou https:// et nommer un hôte", FIELD)
    if len(url) > 500:
        raise Invalid("l'adresse du webhook compte au plus 500 caractères", FIELD)
    if allow_private:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise Invalid(f"hôte du webhook introuvable : {parts.hostname}", FIELD) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            named = f"{address} est" if parts.hostname == str(address) else f"{parts.hostname} désigne {address},"
            raise Invalid(f"adresse de webhook refusée : {named} une adresse interne (boucle locale, réseau privé "
                          "ou lien local) ; donnez une adresse publique de vos systèmes", FIELD)
