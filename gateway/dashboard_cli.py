"""`phoenix dashboard`: the dashboard's address, and a link that signs the browser in as you."""

from __future__ import annotations

import webbrowser
from typing import Annotated, Any

import typer
from rich.console import Console

from gateway import cli_client
from gateway.api_client import PhoenixClient
from gateway.cli_options import DataDir
from gateway.web_bundle import built

console = Console(soft_wrap=True)
err = Console(stderr=True)


def dashboard(
    open_it: Annotated[
        bool, typer.Option("--open", help="Open the link in this machine's browser.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Print a link to the dashboard that signs you in with the token this CLI uses (the token
    rides in the link's fragment, which the browser never sends to a server; the tab keeps it
    until it is closed). The link is a credential: do not share it.
    """

    def link(client: PhoenixClient) -> tuple[str, dict[str, Any]]:
        me = client.whoami()  # a token the API refuses makes no link
        return f"{client.base_url}/#/signin?token={client.token}", me

    url, me = cli_client.calling(data_dir, link)
    if not built():
        err.print(
            "[yellow]the dashboard is not built here[/]: run scripts/build-web (it needs npm); "
            "the API answers meanwhile"
        )
    roles = ", ".join(me.get("roles", []))
    err.print(
        f"signs in as {me['subject']} ({roles}); the link is a credential: keep it to yourself"
    )
    console.print(url, highlight=False)
    if open_it:
        webbrowser.open(url)
