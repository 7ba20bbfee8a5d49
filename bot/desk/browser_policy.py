"""What the desk asks of browsers: requests that change something come from its own pages, and pages run
only the desk's own scripts, never inside another site's frame.

The session cookie is SameSite=Strict, but that alone is one browser feature between
the desk and cross-site request forgery (and "same site" still includes sibling
sub-domains). So a request that changes something and carries the cookie must also
name the desk's origin in Origin (or, failing that, Referer): browsers set Origin on
every POST and no page can forge it. A request with another site's Origin is refused
even without the cookie, which covers log-in forgery too. API clients with a bearer
token and the bot's service token are not cookie-based and need no Origin; the
customer's chat API (/chat/) is called from carriers' sites by design and is
authenticated by the conversation's token, never by a cookie.
"""

from __future__ import annotations

from typing import Awaitable, Callable, Optional, Set
from urllib.parse import urlsplit

from aiohttp import web

from bot.desk import forwarded
from bot.desk.auth_middleware import bearer_token, json_error
from bot.desk.settings import Settings

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CROSS_ORIGIN_PATHS = ("/chat/", "/internal/")  # token-authenticated: other sites and the bot call them
REFUSED = "this request did not come from the desk's own pages, so it was refused"


def same_origin_middleware(settings: Settings) -> web.middleware:
    """Refuses (403, nothing done) a state-changing request from another origin, or one with the cookie and no origin."""

    @web.middleware
    async def check(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.method in SAFE_METHODS or request.path.startswith(CROSS_ORIGIN_PATHS) or bearer_token(request):
            return await handler(request)
        origin = _claimed_origin(request)
        foreign = origin is not None and origin not in _allowed(request, settings)
        if foreign or (origin is None and settings.cookie_name in request.cookies):
            raise json_error(web.HTTPForbidden, REFUSED, code="origin")
        return await handler(request)

    return check


def security_headers(socket_url: str) -> Callable[[web.Request, web.StreamResponse], Awaitable[None]]:
    """An `on_response_prepare` hook giving every response the desk's browser policy.

    The pages load scripts, styles and images from the desk alone (no inline script or
    style anywhere); the web chat page also opens Rasa's socket.io at `socket_url`.
    No page may be framed: the agent pages would be open to click-jacking, and the chat
    page too (a foreign frame could make a customer type into what looks like its own
    form); carriers embed the chat with widget.js, which needs no frame. The headers
    are harmless on JSON, scripts and styles, which other sites' pages load cross-origin
    (a CSP on a script or style response does not apply to the page that loads it).
    """
    policy = "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            f"connect-src 'self' {_socket_sources(socket_url)}".rstrip(),
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ]
    )
    headers = {
        "Content-Security-Policy": policy,
        "X-Frame-Options": "DENY",
        # same-origin, not no-referrer: with no-referrer browsers send `Origin: null` on the log-out form post.
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
    }

    async def add(request: web.Request, response: web.StreamResponse) -> None:
        for name, value in headers.items():
            response.headers.setdefault(name, value)

    return add


def _allowed(request: web.Request, settings: Settings) -> Set[str]:
    """The origin the browser sent this request to (as the proxy saw it when one is trusted), and the configured ones."""
    own = f"{forwarded.scheme(request, settings.trusted_proxies)}://{request.host}".lower()
    return {own, *settings.allowed_origins}


def _claimed_origin(request: web.Request) -> Optional[str]:
    """The Origin header ("null" included: an opaque origin is nobody's), else the origin of the Referer, else None."""
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin.strip().lower()
    referer = urlsplit(request.headers.get("Referer", ""))
    return f"{referer.scheme}://{referer.netloc}".lower() if referer.scheme and referer.netloc else None


def _socket_sources(socket_url: str) -> str:
    """Rasa's socket.io origin for connect-src, over WebSocket and HTTP: "http://h:5005 ws://h:5005"."""
    parts = urlsplit(socket_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return ""  # a relative socket URL is the desk's own origin: 'self' covers it
    secure = parts.scheme == "https"
    return f"{parts.scheme}://{parts.netloc} {'wss' if secure else 'ws'}://{parts.netloc}"
