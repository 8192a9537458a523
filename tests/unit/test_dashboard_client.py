"""The dashboard's typed client is the API's own OpenAPI document: regenerated, it is unchanged."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from gateway.schemas import openapi_document
from tests.conftest import missing

WEB = Path(__file__).resolve().parents[2] / "web"
GENERATOR = WEB / "node_modules" / ".bin" / "openapi-typescript"


def test_the_committed_client_types_are_what_the_api_documents_today(tmp_path: Path) -> None:
    if not GENERATOR.exists():
        missing(
            "the web app's packages are not installed: run scripts/build-web (it needs npm)",
            "PHOENIX_REQUIRE_DASHBOARD",
        )
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(openapi_document(), indent=2, sort_keys=True, default=str))
    generated = tmp_path / "schema.d.ts"
    subprocess.run(
        [str(GENERATOR), str(document), "--default-non-nullable", "false", "-o", str(generated)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    committed = (WEB / "src" / "api" / "schema.d.ts").read_text()
    assert generated.read_text() == committed, (
        "web/src/api/schema.d.ts has drifted from the API: run scripts/generate-api-client"
    )
