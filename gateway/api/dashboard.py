"""The dashboard: the web app's built bundle (web/dist), served at / with its assets, no token
needed to load it (every call it makes to the API carries one).
"""

from __future__ import annotations

from pathlib import Path

from litestar import Response, Router, get
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from gateway.web_bundle import bundle_dir

# React Flow and uPlot set style attributes; scripts and connections stay same-origin.
POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
NOT_BUILT = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Phoenix — dashboard not built</title></head><body>
<h1>The dashboard is not built</h1>
<p>Phoenix serves its web app from <code>{bundle}</code>, which does not exist.
Build it with <code>npm ci && npm run build</code> in <code>web/</code> (the set-up script,
<code>scripts/setup</code>, does this when Node.js is installed), then reload. The API is at
<a href="/schema/swagger">/schema/swagger</a>.</p></body></html>"""


def dashboard_routes(bundle: Path | None = None) -> list[ControllerRouterHandler]:
    """GET / (the app's page) and /assets/* (its scripts and styles), from the built bundle."""
    where = bundle or bundle_dir()

    @get("/", include_in_schema=False, media_type="text/html")
    async def index() -> Response[str]:
        page = where / "index.html"
        if not page.is_file():
            return Response(NOT_BUILT.format(bundle=where), status_code=503, media_type="text/html")
        return Response(
            page.read_text(),
            media_type="text/html",
            headers={"Content-Security-Policy": POLICY, "Cache-Control": "no-cache"},
        )

    assets: Router = create_static_files_router(
        path="/assets",
        directories=[where / "assets"],
        include_in_schema=False,
        cache_control=None,
    )
    return [index, assets]
