"""`phoenix token` and `phoenix login`: issue local tokens, save one, and ask who you are."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console

from gateway import cli_client
from gateway.api_client import ApiError, NotRunning, PhoenixClient, api_url, trusted_ca
from gateway.cli_options import DataDir, command_group, settings_for
from gateway.local_tokens import save_token

app = command_group("Issue tokens signed by this Phoenix's own key.")
console = Console()
err = Console(stderr=True)


@app.command("create")
def create(
    subject: Annotated[str, typer.Option(help="Who the token is for: it is the actor on events.")],
    role: Annotated[
        list[str], typer.Option(help="viewer, operator or admin (repeat for several).")
    ],
    ttl: Annotated[str, typer.Option(help="How long it is valid: 30m, 8h, 7d.")] = "8h",
    save: Annotated[
        bool, typer.Option(help="Also save it where this CLI looks for its token.")
    ] = False,
    data_dir: DataDir = None,
) -> None:
    """Print a token signed with the data dir's key (needs read access to it: an operator
    command on Phoenix's machine). With an OIDC provider, people's tokens come from it instead.
    """
    from adapters.auth.local_key import KEY_FILE, LocalKey  # signing loads with this command
    from adapters.auth.tokens import issue, parse_ttl
    from domain.identity import PEOPLE_ROLES

    known = {r.value: r for r in PEOPLE_ROLES}
    unknown = [r for r in role if r not in known]
    if unknown:
        raise typer.BadParameter(f"unknown role {', '.join(unknown)}; roles: {', '.join(known)}")
    try:
        lifetime = parse_ttl(ttl)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    settings = settings_for(data_dir)
    try:
        if not (settings.data_dir / KEY_FILE).exists():
            cli_client.fail([f"no signing key in {settings.data_dir}: start `phoenix up` there"])
        key = LocalKey.of(settings.data_dir, settings.signing_key)
        token = issue(key, subject, [known[r] for r in role], ttl=lifetime, now=datetime.now(UTC))
        if save:
            err.print(f"saved to {save_token(token)}")
    except (OSError, ValueError) as exc:
        cli_client.fail([str(exc)])
    print(token)


def login(
    token: Annotated[
        str | None, typer.Option(help="The token (default: read from standard input).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Save a token (from `phoenix token create` or your OIDC provider) for this CLI, after the
    API has accepted it.
    """
    given = (token or sys.stdin.readline()).strip()
    if not given:
        cli_client.fail(["no token given: pass --token, or pipe it in"])
    url, _ = api_url(settings_for(data_dir))
    if url is None:
        cli_client.fail(["no running Phoenix found: set PHOENIX_API_URL, or start `phoenix up`"])
    try:
        client = PhoenixClient(url, given, verify=trusted_ca())
    except (NotRunning, ValueError) as exc:
        cli_client.fail([str(exc)])
    try:
        me = client.whoami()
    except (ApiError, NotRunning) as exc:
        cli_client.fail([f"the API did not accept the token: {exc}"])
    finally:
        client.close()
    try:
        path = save_token(given)
    except OSError as exc:
        cli_client.fail([f"could not save the token: {exc}"])
    console.print(
        f"logged in as [bold]{me['subject']}[/] ({', '.join(me['roles'])}); saved to {path}"
    )


def whoami(data_dir: DataDir = None) -> None:
    """Who the API takes you for: your token's subject and roles."""
    me = cli_client.calling(data_dir, lambda c: c.whoami())
    console.print(f"{me['subject']} ({', '.join(me['roles']) or 'no role'})")


__all__ = ["app", "login", "whoami"]
