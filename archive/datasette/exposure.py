"""What the server shows and to whom: the Host-header allow-list and path-free public JSON.

**Host allow-list.** A web page on another site can make a reader's browser talk to a server on
127.0.0.1 by pointing its own domain name at 127.0.0.1 (DNS rebinding); the browser then sends
that domain in the ``Host`` header. When the plugin configuration has ``allowed_hosts`` (the
shipped ``metadata.json`` has it, empty; ``newsarchive serve`` fills it with the
``--allowed-host`` names), a request is answered only when its ``Host`` is ``localhost``, an IP
address (an address cannot be rebound) or one of those names; any other gets 400 with what to
do. Datasette run without the project's metadata checks nothing.

**No absolute paths.** Datasette's ``/-/databases.json`` shows where each database file lives on
the server's disk; this plugin's version of that route shows the file name only.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path

from datasette.utils.asgi import Response

PLUGIN = "newsarchive"


def host_name(header: str) -> str:
    """The name in a ``Host`` header, without port or IPv6 brackets, lower-cased."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else header[1:]
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


def is_allowed_host(header: str | None, allowed: list[str]) -> bool:
    """Whether a request with this ``Host`` header may be answered (see the module docstring)."""
    if not header:
        return True  # HTTP/1.0 without Host: no browser sends that, so no rebinding either
    name = host_name(header).rstrip(".")
    if name == "localhost" or name in {a.lower().rstrip(".") for a in allowed}:
        return True
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def host_checked(app, allowed: list[str]):
    """``app`` (ASGI) answering 400 to HTTP requests whose Host is not allowed."""

    async def checked(scope, receive, send):
        if scope["type"] == "http":
            header = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
            if not is_allowed_host(header, allowed):
                shown = header[:100]
                body = (f"Máy chủ này không phục vụ tên «{shown}». (This server does not answer for the host name "
                        f"«{shown}». If it is this server's public name, start it with "
                        f"`newsarchive serve --allowed-host {host_name(shown) or 'NAME'}`.)\n").encode("utf-8")
                await send({"type": "http.response.start", "status": 400,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await app(scope, receive, send)

    return checked


def wrap(datasette):
    """The ``asgi_wrapper`` hook's wrapper: the Host check when configured, else nothing."""
    config = datasette.plugin_config(PLUGIN) or {}

    def wrapper(app):
        if "allowed_hosts" not in config:
            return app
        return host_checked(app, list(config["allowed_hosts"] or []))

    return wrapper


async def databases_view(datasette, request):
    """``/-/databases.json`` and ``/-/databases`` (its HTML page), as Datasette's own but with each
    file's name instead of its absolute path."""
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    data = [{"name": db.name, "route": db.route, "path": Path(db.path).name if db.path else None, "size": db.size,
             "is_mutable": db.is_mutable, "is_memory": db.is_memory, "hash": db.hash}
            for name, db in datasette.databases.items() if name != "_internal"]
    if request.url_vars.get("format"):
        headers = {"Access-Control-Allow-Origin": "*"} if datasette.cors else {}
        return Response.json(data, headers=headers)
    return Response.html(await datasette.render_template(
        "show_json.html", {"filename": "databases.json", "data_json": json.dumps(data, indent=4)}, request=request))
