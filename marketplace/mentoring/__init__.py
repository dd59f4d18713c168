"""Sessions, attendance, check-ins, the 7 PAS pathway, reminders."""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.core.extension import register_messages
    from marketplace.mentoring.cli import mentoring, outbox

    app.cli.add_command(mentoring)
    app.cli.add_command(outbox)
    register_messages(
        app,
        {
            "session_reminder": _l(
                'Pengingat: besok %(when)s ada sesi "%(topic)s" di %(place)s. Sampai jumpa!'
            ),
            "checkin_due": _l(
                "%(n)d anggota chapter %(chapter)s belum dievaluasi bulan ini. Buka konsol "
                "pengurus."
            ),
        },
    )
