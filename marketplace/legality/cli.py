"""``flask legality check KIND NUMBER``: run one identifier through its format validator.

Registered by the application factory (``app.cli.add_command(legality)``).
"""

import click
from flask.cli import AppGroup

from marketplace.legality.validators import VALIDATORS, InvalidIdentifier, check

legality = AppGroup("legality", help="Format checks for seller identifiers (NIK, NIB, NPWP, …).")


@legality.command("check")
@click.argument("kind", type=click.Choice(sorted(VALIDATORS)))
@click.argument("number")
def check_command(kind: str, number: str) -> None:
    """Check NUMBER as an identifier of type KIND (format only, not legality).

    Prints the normalised value and, on a second line, the display form; exits 1 with
    "invalid: <reason>" when the number is not well-formed.
    """
    try:
        result = check(kind, number)
    except InvalidIdentifier as exc:
        click.echo(f"invalid: {exc.reason}")
        raise click.exceptions.Exit(1) from None
    click.echo(result.value)
    click.echo(result.display)
