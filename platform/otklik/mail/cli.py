"""`flask mail send`: send what is queued now, in this process (the job does the same on the worker)."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from ..capabilities import add_cli_group

mail_cli = AppGroup("mail", help="Outbound e-mail (the outbox).")


@mail_cli.command("send")
def send_command():
    """Send the due messages; prints {"sent", "failed", "deferred"}; exit 1 when the relay could not be reached."""
    from .sending import send_due

    outcome = send_due()
    click.echo(json.dumps(outcome.as_dict()))
    if outcome.errors:
        click.echo(f"warning: {outcome.errors[-1]}", err=True)
        if not outcome.sent:
            sys.exit(1)


add_cli_group(mail_cli)
