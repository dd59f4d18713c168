"""Forms of the referral network: the lead's referral and endorsement, the member's consent
and answer, the bank's decisions, and the admin's banks and KUR rules."""

from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import TextInput

from marketplace.businesses.forms import MultiCheckboxField
from marketplace.core.forms import Form, PercentField, RupiahField, choices
from marketplace.core.money import MAX_LOAN_IDR
from marketplace.core.numbers import parse_percent_to_bp
from referrals.models import PURPOSE_KINDS, REJECT_REASONS, SCHEMES
from referrals.services.bounds import AMOUNT_IDR, RATE_BP, TENOR_MONTHS
from referrals.services.eligibility import CREDIT_QUESTIONS

SCHEME_LABELS = {
    "super_mikro": _l("KUR Super Mikro"),
    "mikro": _l("KUR Mikro"),
    "kecil": _l("KUR Kecil"),
}
REJECT_REASON_LABELS = {
    "slik_bermasalah": _l("Riwayat kredit di SLIK OJK bermasalah"),
    "usaha_belum_layak": _l("Usaha belum layak dibiayai"),
    "dokumen_tidak_lengkap": _l("Dokumen belum lengkap"),
    "plafon_terlampaui": _l("Batas plafon atau akses KUR terlampaui (SIKP)"),
    "sudah_kredit_produktif": _l("Sudah punya kredit produktif lain"),
    "lainnya": _l("Alasan lain (lihat catatan)"),
}
ROLE_LABELS = {
    "lead": _l("Pengurus chapter"),
    "sme_owner": _l("Anggota (pemilik usaha)"),
    "bank_officer": _l("Petugas bank"),
    "bank_api": _l("Sistem bank"),
    "admin": _l("Admin Pasarkita"),
    "system": _l("Sistem Pasarkita"),
}
ACTION_LABELS = {
    "consent": _l("Anggota memberi persetujuan"),
    "send": _l("Direkomendasikan dan dikirim ke bank"),
    "acknowledge": _l("Diterima bank"),
    "request_info": _l("Bank meminta informasi"),
    "answer_info": _l("Anggota menjawab bank"),
    "approve": _l("Disetujui bank"),
    "reject": _l("Ditolak bank"),
    "disburse": _l("Dana dicairkan"),
    "withdraw": _l("Ditarik"),
}
PURPOSE_KIND_LABELS = {
    "kmk": _l("Modal kerja (KMK), contoh bahan baku atau stok"),
    "ki": _l("Investasi (KI), contoh mesin, alat atau renovasi tempat usaha"),
}
# What a rejection means for the member, and what to do next (the member's referral page).
REJECT_REASON_HELP = {
    "slik_bermasalah": (
        _l("Bank menemukan catatan kredit yang bermasalah di SLIK OJK atas nama Anda."),
        _l(
            "Minta iDeb (laporan SLIK) gratis di OJK atau lewat idebku.ojk.go.id, lunasi atau "
            "perbaiki tunggakan, lalu minta pengurus chapter merujuk ulang."
        ),
    ),
    "usaha_belum_layak": (
        _l("Menurut bank, usaha Anda belum cukup kuat untuk membayar cicilan saat ini."),
        _l(
            "Lanjutkan pendampingan dan pencatatan buku kas beberapa bulan lagi, lalu bicarakan "
            "waktu yang tepat untuk mengajukan lagi dengan pengurus chapter."
        ),
    ),
    "dokumen_tidak_lengkap": (
        _l("Ada dokumen yang dibutuhkan bank yang belum lengkap atau belum jelas."),
        _l(
            "Lengkapi dokumen usaha Anda (NIB, NPWP bila perlu) di Pasarkita, lalu minta "
            "pengurus chapter merujuk ulang."
        ),
    ),
    "plafon_terlampaui": (
        _l("Batas plafon atau batas jumlah akses KUR Anda sudah tercapai menurut SIKP."),
        _l(
            "Tanyakan ke bank skema lain yang cocok (misalnya KUR Kecil atau kredit komersial), "
            "atau ajukan jumlah yang lebih kecil bersama pengurus chapter."
        ),
    ),
    "sudah_kredit_produktif": (
        _l("Anda tercatat sedang punya kredit usaha komersial lain, yang tidak boleh dengan KUR."),
        _l(
            "Setelah kredit itu lunas, minta pengurus chapter merujuk ulang; atau tanyakan ke "
            "bank pilihan kredit lain."
        ),
    ),
    "lainnya": (
        _l("Bank menolak karena alasan yang dijelaskan di catatan bank di bawah."),
        _l("Baca catatan bank, lalu bicarakan langkah berikutnya dengan pengurus chapter."),
    ),
}
VARIANT_LABELS = {"konvensional": _l("Konvensional"), "syariah": _l("Syariah")}
assert set(SCHEME_LABELS) == set(SCHEMES)
assert set(REJECT_REASON_LABELS) == set(REJECT_REASONS) == set(REJECT_REASON_HELP)
assert set(PURPOSE_KIND_LABELS) == set(PURPOSE_KINDS)


# The one rupiah field and the one percent field (core.forms), under the names this module's
# forms have always used.
AmountField = RupiahField


def rate_bp(percent: Decimal) -> int:
    """6.25 (percent a year) -> 625 basis points, rounded half up, no float on the way."""
    return int((Decimal(percent) * 100).to_integral_value(rounding=ROUND_HALF_UP))


# --- the lead -------------------------------------------------------------------------------


class OpenReferralForm(Form):
    bank_id = SelectField(_l("Bank penyalur"), coerce=int, choices=[])
    scheme = SelectField(_l("Skema KUR"), choices=choices(SCHEME_LABELS))
    variant = SelectField(
        _l("Varian (jika bank punya konvensional dan syariah)"),
        choices=choices(VARIANT_LABELS),
        default="konvensional",
    )
    amount_idr = RupiahField(
        _l("Jumlah pinjaman yang diajukan (rupiah)"),
        maximum=MAX_LOAN_IDR,
        validators=[InputRequired(message=_l("Tulis jumlah pinjaman, contoh 25000000."))],
    )
    tenor_months = IntegerField(
        _l("Tenor (bulan)"), validators=[InputRequired(), NumberRange(min=1, max=60)]
    )
    purpose_kind = SelectField(
        _l("Jenis kredit"), choices=choices(PURPOSE_KIND_LABELS), default="kmk"
    )
    purpose = TextAreaField(
        _l("Untuk apa pinjaman ini? (contoh: beli oven kedua agar produksi naik)"),
        validators=[DataRequired(), Length(min=10, max=1000)],
    )
    # The same by-kind declaration as the member's consent form (DOMAIN 3.3).
    credit_held = MultiCheckboxField(
        _l("Centang setiap kredit yang sedang dimiliki anggota (kosongkan jika tidak ada)"),
        choices=choices(CREDIT_QUESTIONS),
    )
    no_other_credit = BooleanField(
        _l("Menurut anggota, ia tidak punya kredit lain selain yang dicentang di atas")
    )


class EndorseForm(Form):
    recommendation = TextAreaField(
        _l("Rekomendasi Anda untuk bank: mengapa anggota ini siap?"),
        validators=[DataRequired(), Length(min=20, max=3000)],
    )


class WithdrawForm(Form):
    note = TextAreaField(_l("Alasan (boleh dikosongkan)"), validators=[Length(max=500)])


# --- the member -----------------------------------------------------------------------------


class ConsentForm(Form):
    # Never ticked in advance: consent must be an act of the member (UU 27/2022 art. 22).
    agree = BooleanField(default=False)
    # The other-credit declaration (DOMAIN 3.3): one yes/no per kind, the allowed ones named.
    credit_held = MultiCheckboxField(
        _l("Centang setiap kredit yang sedang Anda punya (kosongkan jika tidak ada)"),
        choices=choices(CREDIT_QUESTIONS),
    )
    no_other_credit = BooleanField(
        _l("Saya menyatakan tidak punya kredit lain selain yang saya centang di atas"),
        default=False,
    )


class AnswerForm(Form):
    answer = TextAreaField(
        _l("Jawaban Anda untuk bank"), validators=[DataRequired(), Length(min=3, max=3000)]
    )


# --- the bank -------------------------------------------------------------------------------


class NoteForm(Form):
    note = TextAreaField(_l("Catatan (boleh dikosongkan)"), validators=[Length(max=2000)])


class RequestInfoForm(Form):
    note = TextAreaField(
        _l("Informasi apa yang dibutuhkan dari anggota?"),
        validators=[DataRequired(), Length(max=2000)],
    )


class ApproveForm(Form):
    # The decision bounds are the service's (referrals.services.bounds), as in the bank API;
    # the KUR rules of the referral's scheme narrow them (the service checks, on both steps).
    amount_idr = AmountField(
        _l("Jumlah disetujui (rupiah)"),
        validators=[InputRequired(), NumberRange(min=AMOUNT_IDR.minimum, max=AMOUNT_IDR.maximum)],
    )
    tenor_months = IntegerField(
        _l("Tenor disetujui (bulan)"),
        widget=TextInput(),
        validators=[
            InputRequired(),
            NumberRange(min=TENOR_MONTHS.minimum, max=TENOR_MONTHS.maximum),
        ],
    )
    # Percent a year as people write it; the service gets basis points (rate_bp()).
    rate_percent = PercentField(
        _l("Bunga efektif per tahun (%)"),
        places=2,
        validators=[
            InputRequired(),
            NumberRange(min=Decimal(RATE_BP.minimum) / 100, max=Decimal(RATE_BP.maximum) / 100),
        ],
    )
    confirm_above_requested = BooleanField(
        _l("Saya sengaja menyetujui jumlah di atas yang diajukan")
    )
    note = TextAreaField(
        _l("Catatan untuk anggota (boleh dikosongkan)"), validators=[Length(max=2000)]
    )


class RejectForm(Form):
    reason = SelectField(_l("Alasan penolakan"), choices=choices(REJECT_REASON_LABELS))
    note = TextAreaField(
        _l("Penjelasan untuk anggota (wajib untuk alasan lain)"), validators=[Length(max=2000)]
    )


class StatusFilterForm(Form):
    class Meta:
        csrf = False  # a GET filter changes nothing

    status = SelectField(_l("Tampilkan"), choices=[], validate_choice=False)


class InboxFilterForm(Form):
    """The officer's inbox filters (GET). Only renders: the values are parsed, and refused,
    by ``services.inbox.parse_filter``, the same parser the bank API uses."""

    class Meta:
        csrf = False  # a GET filter changes nothing

    q = StringField(
        _l("Cari nama usaha, nomor rujukan, atau 4 angka terakhir NIK"),
        validators=[Optional(), Length(max=80)],
    )
    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    chapter = SelectField(_l("Chapter"), choices=[], validate_choice=False)
    scheme = SelectField(_l("Skema"), choices=[], validate_choice=False)
    amount_min = StringField(_l("Jumlah paling sedikit (Rp)"))
    amount_max = StringField(_l("Jumlah paling banyak (Rp)"))
    sent_from = StringField(_l("Dikirim sejak (tanggal)"), render_kw={"type": "date"})
    sent_to = StringField(_l("Dikirim sampai (tanggal)"), render_kw={"type": "date"})
    assigned = SelectField(_l("Petugas"), choices=[], validate_choice=False)
    closed = BooleanField(_l("Tampilkan juga yang sudah selesai (ditolak, dicairkan)"))
    sort = SelectField(_l("Urutkan"), choices=[], validate_choice=False)


class AssignForm(Form):
    officer = SelectField(_l("Tugaskan kepada"), choices=[], validate_choice=False)


# --- the admin ------------------------------------------------------------------------------


class BankForm(Form):
    name = StringField(_l("Nama bank"), validators=[DataRequired(), Length(max=120)])
    slug = StringField(
        _l("Kode alamat (huruf kecil, angka, tanda minus), contoh bank-nusantara"),
        validators=[
            DataRequired(),
            Length(min=2, max=40),
            Regexp(
                r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                message=_l("Pakai huruf kecil, angka dan tanda minus saja."),
            ),
        ],
    )
    conventional = BooleanField(_l("Menyalurkan KUR konvensional"), default=True)
    sharia = BooleanField(_l("Menyalurkan KUR syariah"))
    schemes = MultiCheckboxField(_l("Skema yang disalurkan"), choices=choices(SCHEME_LABELS))
    chapters = MultiCheckboxField(_l("Chapter yang dilayani"), coerce=int, choices=[])

    def validate_sharia(self, field):
        if not field.data and not self.conventional.data:
            raise ValidationError(_l("Pilih konvensional, syariah, atau keduanya."))

    def validate_schemes(self, field):
        if not field.data:
            raise ValidationError(_l("Pilih minimal satu skema."))


class BankChaptersForm(Form):
    chapters = MultiCheckboxField(_l("Chapter yang dilayani"), coerce=int, choices=[])


class OfficerForm(Form):
    # E-mail or WhatsApp number (a phone-only account too): accounts.administration.
    email = StringField(
        _l("E-mail atau nomor WhatsApp akun petugas (akun harus sudah terdaftar)"),
        validators=[DataRequired(), Length(max=254)],
    )


class KurSchemeForm(Form):
    name = StringField(_l("Nama skema"), validators=[DataRequired(), Length(max=60)])
    effective_from = DateField(_l("Berlaku sejak"), validators=[DataRequired()])
    is_current = BooleanField(_l("Aturan yang berlaku sekarang"))
    min_idr = RupiahField(
        _l("Plafon minimal (rupiah)"), maximum=MAX_LOAN_IDR, validators=[InputRequired()]
    )
    max_idr = RupiahField(
        _l("Plafon maksimal (rupiah)"), maximum=MAX_LOAN_IDR, validators=[InputRequired()]
    )
    rates = StringField(
        _l("Bunga per tahun (%) menurut akses ke-: contoh 1=6; 2=7 atau *=6"),
        validators=[DataRequired(), Length(max=200)],
    )
    # A scheme cannot allow more than a bank may approve.
    max_tenor_kmk_months = IntegerField(
        _l("Tenor maks. modal kerja (bulan)"),
        validators=[InputRequired(), NumberRange(TENOR_MONTHS.minimum, TENOR_MONTHS.maximum)],
    )
    max_tenor_ki_months = IntegerField(
        _l("Tenor maks. investasi (bulan)"),
        validators=[InputRequired(), NumberRange(TENOR_MONTHS.minimum, TENOR_MONTHS.maximum)],
    )
    no_collateral_up_to_idr = RupiahField(
        _l("Tanpa agunan tambahan sampai (rupiah)"),
        maximum=MAX_LOAN_IDR,
        validators=[InputRequired()],
    )
    npwp_above_idr = RupiahField(
        _l("NPWP wajib di atas (rupiah)"), maximum=MAX_LOAN_IDR, validators=[InputRequired()]
    )
    source = TextAreaField(_l("Dasar hukum / sumber"), validators=[Optional(), Length(max=2000)])

    def validate_rates(self, field):
        try:
            field.parsed = parse_rates(field.data)
        except ValueError:
            raise ValidationError(
                _l("Tulis seperti 1=6; 2=7; 3=8 (akses ke-=persen) atau *=6.")
            ) from None

    def validate_max_idr(self, field):
        if (
            field.data is not None
            and self.min_idr.data is not None
            and (field.data < self.min_idr.data)
        ):
            raise ValidationError(_l("Plafon maksimal harus lebih besar dari minimal."))


def parse_rates(text: str) -> dict[str, int]:
    """'1=6; 2=7,5' or '*=6' -> {"1": 600, "2": 750} / {"*": 600} (basis points)."""
    out: dict[str, int] = {}
    for part in (text or "").replace("\n", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not (key == "*" or key.isdigit()) or key in out:
            raise ValueError(part)
        try:
            # The one decimal parser: "6", "6,5", "6.5" and "6,5 %" alike.
            bp = parse_percent_to_bp(value)
        except ValueError:
            raise ValueError(part) from None
        if not 0 <= bp <= 10_000:
            raise ValueError(part)
        out[key] = bp
    if not out:
        raise ValueError(text)
    return out


def format_rates(rates_bp: dict) -> str:
    """{"1": 600, "2": 700} -> '1=6; 2=7' (what the admin form shows)."""

    def pct(bp: int) -> str:
        text = f"{Decimal(bp) / 100:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text

    keys = sorted(rates_bp, key=lambda k: (k != "*", int(k) if k.isdigit() else 0))
    return "; ".join(f"{k}={pct(rates_bp[k])}" for k in keys)
