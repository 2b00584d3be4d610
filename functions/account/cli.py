"""Staff accounts from the command line, e.g.

    flask --app functions.account.app create-officer --phone 0912000003 --commune 13075 --commune 18001
    flask --app functions.account.app create-supervisor --phone 0912000004 --commune 13075
    flask --app functions.account.app create-admin --phone 0912000009
"""

from __future__ import annotations

import click
from flask import Flask

from functions.account import users
from functions.core.adapters.clock import SystemClock
from functions.core.domain import divisions, phone
from functions.core.errors import AppError


def _make_staff(number: str, role: str, communes: tuple[str, ...]) -> None:
    try:
        e164 = phone.normalize(number, ("VN",))
        user = users.upsert_staff(e164, role, list(communes), SystemClock().now())
    except AppError as err:
        raise click.ClickException(f"{err.code}: {err.details or err.message}") from err
    names = ", ".join(f"{c} {divisions.commune(c).name}" for c in sorted(user.communes or ()))
    click.echo(f"{user.role} {user.phone} ({user.user_id}){': ' + names if names else ''}")


def register(app: Flask) -> None:
    """Add the staff commands to the app's `flask` CLI."""

    @app.cli.command("create-officer")
    @click.option("--phone", "number", required=True, help="Mobile number, any common format.")
    @click.option("--commune", "communes", required=True, multiple=True,
                  help="5-digit commune code (after the 2025 reform); repeat for several communes.")
    def create_officer(number: str, communes: tuple[str, ...]) -> None:
        """Create an officer, or assign communes to an existing account (replacing its list)."""
        _make_staff(number, "officer", communes)

    @app.cli.command("create-supervisor")
    @click.option("--phone", "number", required=True, help="Mobile number, any common format.")
    @click.option("--commune", "communes", required=True, multiple=True,
                  help="5-digit commune code; repeat for several communes.")
    def create_supervisor(number: str, communes: tuple[str, ...]) -> None:
        """Create a supervisor of communes: complaints unanswered in time escalate to them."""
        _make_staff(number, "supervisor", communes)

    @app.cli.command("create-admin")
    @click.option("--phone", "number", required=True, help="Mobile number, any common format.")
    def create_admin(number: str) -> None:
        """Create an admin, or promote an existing account."""
        _make_staff(number, "admin", ())
