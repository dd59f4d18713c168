import click
from flask.cli import AppGroup

from marketplace.extensions import db
from marketplace.mentoring.reminders import send_reminders
from marketplace.notifications.outbox import send_pending

mentoring = AppGroup("mentoring", help="Mentoring reminders.")
outbox = AppGroup("outbox", help="The e-mail outbox.")


@mentoring.command("remind")
def remind() -> None:
    """Daily: session reminders for tomorrow and check-ins that are due (idempotent)."""
    stats = send_reminders()
    db.session.commit()
    send_pending()
    click.echo(f"{stats['sessions']} session reminder(s), {stats['checkins']} check-in notice(s)")


@outbox.command("send")
def send() -> None:
    """Deliver e-mails still waiting in the outbox."""
    from marketplace.notifications import phone

    click.echo(f"sent {send_pending(limit=1000)} e-mail(s)")
    click.echo(f"sent {phone.send_pending(limit=1000)} phone message(s)")
