from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from marketplace.core.forms import Form, choices
from marketplace.mentoring.models import DIGITAL_LEVELS, EXTERNAL_PROVIDERS, TRACKS

TRACK_LABELS = {
    "reskilling": _l("Reskilling (keahlian baru untuk pekerjaan lama)"),
    "upskilling": _l("Upskilling (meningkatkan keahlian)"),
    "new_skilling": _l("New skilling (keahlian yang sama sekali baru)"),
}
LEVEL_LABELS = {
    "whatsapp": _l("1. Jualan lewat WhatsApp"),
    "social_media": _l("2. Media sosial"),
    "marketplace": _l("3. Marketplace"),
    "live_streaming": _l("4. Live streaming"),
}
PROVIDER_LABELS = {
    "ppkd": _l("PPKD (Pusat Pelatihan Kerja Daerah)"),
    "bank": _l("Pelatihan bank"),
    "kementerian": _l("Kementerian"),
    "dinas": _l("Dinas / Sudin"),
    "lainnya": _l("Lainnya"),
}
assert set(TRACK_LABELS) == set(TRACKS)
assert set(LEVEL_LABELS) == set(DIGITAL_LEVELS)
assert set(PROVIDER_LABELS) == set(EXTERNAL_PROVIDERS)


class SessionForm(Form):
    topic = StringField(_l("Topik"), validators=[DataRequired(), Length(max=160)])
    track = SelectField(_l("Jalur"), choices=choices(TRACK_LABELS))
    digital_level = SelectField(
        _l("Tingkat digital (untuk topik digital)"),
        choices=choices([("", _l("— bukan topik digital —")), *LEVEL_LABELS.items()]),
    )
    starts_at = DateTimeLocalField(_l("Tanggal dan jam mulai (WIB)"), validators=[DataRequired()])
    duration_minutes = IntegerField(
        _l("Durasi (menit)"), default=90, validators=[DataRequired(), NumberRange(15, 600)]
    )
    place = StringField(_l("Tempat"), validators=[Optional(), Length(max=200)])
    online_link = StringField(
        _l("Tautan online (jika daring)"), validators=[Optional(), Length(max=300)]
    )
    capacity = IntegerField(
        _l("Kapasitas (orang)"), default=30, validators=[DataRequired(), NumberRange(1, 1000)]
    )
    weeks = IntegerField(
        _l("Ulangi setiap minggu, berapa kali"),
        default=1,
        validators=[DataRequired(), NumberRange(1, 12)],
    )


class CheckInForm(Form):
    applies_learning = BooleanField(_l("Sudah menerapkan yang dipelajari"))
    books_kept = BooleanField(_l("Mencatat buku kas bulan ini"))
    next_step = TextAreaField(
        _l("Langkah berikutnya"), validators=[DataRequired(), Length(max=1000)]
    )


class TrainingForm(Form):
    provider = SelectField(_l("Penyelenggara"), choices=choices(PROVIDER_LABELS))
    title = StringField(_l("Nama pelatihan"), validators=[DataRequired(), Length(max=160)])
    completed_on = DateField(_l("Tanggal selesai"), validators=[DataRequired()])


class SettingsForm(Form):
    sessions_required = IntegerField(
        _l("Sesi pendampingan minimal untuk langkah Pendampingan"),
        validators=[DataRequired(), NumberRange(1, 52)],
    )
    books_months = IntegerField(
        _l("Bulan berturut-turut buku kas untuk Pelaporan Keuangan"),
        validators=[DataRequired(), NumberRange(1, 12)],
    )
    # A month counts when the owner wrote entries in this many of its weeks (1-7, 8-14,
    # 15-21, 22-28, 29-31); platform sales never count.
    books_weeks = IntegerField(
        _l("Minggu dengan catatan pemilik agar satu bulan dihitung berbuku kas (1-5)"),
        validators=[Optional(), NumberRange(1, 5)],
    )
