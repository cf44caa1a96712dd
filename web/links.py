"""Private links (player pages, kiosk screens): their full address and the QR code that carries it."""

from litestar.connection import ASGIConnection
from markupsafe import Markup

from web.proxies import request_origin

SVG = "http://www.w3.org/2000/svg"


def site_url(connection: ASGIConnection) -> str:
    """The site's public base: `[server] public_url` when set, otherwise the address this request reached
    (so a card printed from a server on another port still opens)."""
    settings = connection.app.state.get("settings")
    public = settings.server.public_url.rstrip("/") if settings is not None else ""
    return public or request_origin(connection)


def configured_base(settings) -> str:
    """The site's address when no request is at hand (mails, the demo summary): `public_url`, or the host and
    port `xpo serve` listens on."""
    host = settings.server.host if settings.server.host not in ("0.0.0.0", "::") else "127.0.0.1"
    scheme = "https" if settings.server.https else "http"
    return settings.server.public_url.rstrip("/") or f"{scheme}://{host}:{settings.server.port}"


def absolute(connection: ASGIConnection, path: str) -> str:
    """`path` on the public site (what is printed and scanned)."""
    return site_url(connection) + path


def player_path(token: str) -> str:
    return f"/joueur/{token}"


def screen_path(token: str) -> str:
    return f"/ecran/{token}"


def qr_svg(data: str, *, label: str) -> Markup:
    """`data` as an inline, scalable SVG QR code on white (dark pages too), announced to screen readers as `label`."""
    import xml.etree.ElementTree as ET

    import qrcode  # with Pillow, 20 ms of every start-up: imported by the first page that shows a code
    from qrcode.image.svg import SvgPathImage

    image = qrcode.make(data, image_factory=SvgPathImage, border=4)
    root = ET.fromstring(image.to_string())
    path = root.find(f"{{{SVG}}}path")
    return Markup(
        '<svg xmlns="{}" viewBox="{}" class="qr" role="img" aria-label="{}">'
        '<rect width="100%" height="100%" fill="#fff"/><path d="{}" fill="#000"/></svg>'
    ).format(SVG, root.get("viewBox"), label, path.get("d"))

PRIVATE_PAGE_HEADERS = {"cache-control": "no-store", "referrer-policy": "no-referrer"}
"""For pages that show or sit behind a private link: never cached, and the link never leaks as a referrer."""
