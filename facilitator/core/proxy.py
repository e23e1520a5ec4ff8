"""Behind a reverse proxy or load balancer: trust its X-Forwarded-* headers.

Without this, every request seems to come from the proxy's address, so the
per-address rate limits (login, join) would count the whole world as one
client, and redirects would use the proxy's scheme and host.

``FACILITATOR_PROXY_COUNT`` is the number of proxies in front of the app
(1 for nginx alone, 2 for a cloud load balancer in front of nginx). It must
match the deployment: trusting more hops than there are lets clients forge
their address. 0 (the default) trusts none.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def register(app: Flask) -> None:
    """Wrap the WSGI app in ProxyFix when ``PROXY_COUNT`` is set."""
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
