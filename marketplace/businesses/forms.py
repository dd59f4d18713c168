from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from marketplace.catalog.attributes import (
    MAX_SHELF_LIFE_DAYS,
    PROCESS_CHOICES,
    PRODUCTION_SITE_CHOICES,
    STORAGE_CHOICES,
    ProductAttributes,
)
from marketplace.catalog.categories import CATEGORIES
from marketplace.catalog.services import ProductInput
from marketplace.core.forms import Form, RupiahField, choices
from marketplace.core.money import MAX_PRICE_IDR
from marketplace.legality.permits import PERMIT_LABELS

SCALE_CHOICES = [
    ("mikro", _l("Mikro (omzet sampai Rp2 miliar/tahun)")),
    ("kecil", _l("Kecil (omzet Rp2-15 miliar/tahun)")),
    ("menengah", _l("Menengah (omzet Rp15-50 miliar/tahun)")),
]


MARITAL_CHOICES = [
    ("", _l("— pilih —")),
    ("belum_kawin", _l("Belum kawin")),
    ("kawin", _l("Kawin")),
    ("cerai_hidup", _l("Cerai hidup")),
    ("cerai_mati", _l("Cerai mati")),
]
SIKP_SECTOR_CHOICES = [
    ("", _l("— pilih —")),
    ("produksi", _l("Produksi (membuat barang, bertani, beternak, perikanan)")),
    ("perdagangan_jasa", _l("Perdagangan atau jasa")),
]


class SikpFields:
    """The SIKP debtor fields (issue 13), on the registration and the profile form."""

    kk = StringField(
        _l("Nomor Kartu Keluarga (KK, 16 angka)"), validators=[Optional(), Length(max=64)]
    )
    # Optional: the service checks the value (blank = not answered yet).
    marital_status = SelectField(
        _l("Status perkawinan (sesuai KTP)"),
        choices=choices(MARITAL_CHOICES),
        default="",
        validate_choice=False,
    )
    sikp_sector = SelectField(
        _l("Sektor usaha"), choices=choices(SIKP_SECTOR_CHOICES), default="", validate_choice=False
    )
    kbli_code = StringField(
        _l("Kode KBLI (5 angka, tertera di NIB)"), validators=[Optional(), Length(max=10)]
    )


class SikpForm(SikpFields, Form):
    pass


class BusinessForm(SikpFields, Form):
    name = StringField(_l("Nama usaha"), validators=[DataRequired(), Length(max=120)])
    nik = StringField(
        _l("NIK pemilik (16 angka di KTP)"), validators=[DataRequired(), Length(max=64)]
    )
    nib = StringField(_l("NIB (13 angka dari OSS)"), validators=[DataRequired(), Length(max=64)])
    npwp_is_nik = BooleanField(_l("NPWP saya adalah NIK saya (wajib pajak perorangan)"))
    npwp = StringField(
        _l("NPWP badan usaha (boleh dikosongkan)"), validators=[Optional(), Length(max=64)]
    )
    scale = SelectField(_l("Skala usaha (sesuai NIB)"), choices=choices(SCALE_CHOICES))
    sector = SelectField(_l("Bidang usaha"), choices=choices(CATEGORIES))
    started_on = DateField(_l("Mulai usaha sejak"), validators=[DataRequired()])
    kecamatan = SelectField(
        _l("Kecamatan tempat usaha"), choices=[], default="", validate_choice=False
    )
    # A text field with a <datalist> of the kecamatan's kelurahan: searchable without JS.
    kelurahan_code = StringField(
        _l("Kelurahan tempat usaha"), validators=[DataRequired(), Length(max=120)]
    )
    address_line = StringField(
        _l("Alamat (jalan, nomor, RT/RW)"), validators=[DataRequired(), Length(max=200)]
    )
    postal_code = StringField(_l("Kode pos"), validators=[DataRequired(), Length(max=10)])
    whatsapp = TelField(_l("Nomor WhatsApp usaha"), validators=[DataRequired(), Length(max=30)])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DocumentForm(Form):
    kind = SelectField(_l("Jenis dokumen"), choices=choices(PERMIT_LABELS))
    number = StringField(_l("Nomor pada dokumen"), validators=[DataRequired(), Length(max=64)])
    issued_on = DateField(_l("Tanggal terbit"), validators=[Optional()])
    expires_on = DateField(_l("Berlaku sampai (jika ada)"), validators=[Optional()])
    products = MultiCheckboxField(
        _l("Produk yang tercakup izin ini"), choices=[], coerce=int, validate_choice=False
    )
    file = FileField(_l("Foto atau PDF dokumen (maks. 5 MB)"))


class ProductForm(Form):
    name = StringField(_l("Nama produk"), validators=[DataRequired(), Length(max=120)])
    category = SelectField(_l("Kategori"), choices=choices(CATEGORIES))
    price_idr = RupiahField(
        _l("Harga (rupiah)"),
        maximum=MAX_PRICE_IDR,
        validators=[
            InputRequired(message=_l("Tulis harganya, contoh 65.000.")),
            NumberRange(min=1, max=MAX_PRICE_IDR),
        ],
    )
    stock = IntegerField(
        _l("Stok"), validators=[Optional(), NumberRange(min=0, max=1_000_000)], default=0
    )
    description = TextAreaField(_l("Deskripsi"), validators=[Optional(), Length(max=5000)])
    # Shipping (issue 15): the courier price uses the billable weight.
    weight_grams = IntegerField(
        _l("Berat per barang (gram, dengan kemasan)"),
        validators=[Optional(), NumberRange(min=1, max=50_000)],
    )
    length_cm = IntegerField(
        _l("Panjang kemasan (cm, bila besar)"), validators=[Optional(), NumberRange(min=1, max=300)]
    )
    width_cm = IntegerField(
        _l("Lebar kemasan (cm)"), validators=[Optional(), NumberRange(min=1, max=300)]
    )
    height_cm = IntegerField(
        _l("Tinggi kemasan (cm)"), validators=[Optional(), NumberRange(min=1, max=300)]
    )
    # At creation (issue 16): up to five photos in the order chosen, the first the cover.
    photos = MultipleFileField(_l("Foto produk (maks. 5, JPG/PNG; foto pertama jadi sampul)"))
    ingredients = TextAreaField(
        _l("Komposisi / bahan (untuk makanan dan kosmetik)"),
        validators=[Optional(), Length(max=2000)],
    )
    shelf_life_days = IntegerField(
        _l("Tahan berapa hari? (wajib untuk makanan olahan)"),
        validators=[Optional(), NumberRange(min=1, max=MAX_SHELF_LIFE_DAYS)],
    )
    storage = SelectField(_l("Cara menyimpan"), choices=choices(STORAGE_CHOICES))
    # Not named `process`: that would shadow Form.process().
    food_process = SelectField(_l("Proses khusus"), choices=choices(PROCESS_CHOICES))
    production_site = SelectField(_l("Tempat produksi"), choices=choices(PRODUCTION_SITE_CHOICES))
    contains_animal_material = BooleanField(_l("Mengandung bahan hewani (daging, kulit, tulang)"))
    contains_milk = BooleanField(_l("Produk susu atau olahan susu"))
    for_infants = BooleanField(_l("Untuk bayi (MP-ASI, susu formula)"))
    alcohol = BooleanField(_l("Mengandung alkohol"))
    health_claim = BooleanField(_l("Ada klaim kesehatan atau gizi di label"))
    imported = BooleanField(_l("Produk impor"))
    fresh_unprocessed = BooleanField(_l("Hasil segar, tidak diolah (sayur, buah, ikan segar)"))
    non_halal_statement = BooleanField(_l("Produk ini tidak halal (ada keterangan tidak halal)"))
    bottled_water = BooleanField(_l("Air minum dalam kemasan (AMDK)"))
    mandatory_sni = BooleanField(
        _l(
            "Pangan wajib SNI (garam beryodium, tepung terigu, gula kristal putih, "
            "minyak goreng sawit)"
        )
    )
    household_cleaning = BooleanField(
        _l("Pembersih rumah tangga (sabun cuci, pembersih lantai, disinfektan)")
    )

    # Form field names that differ from the attribute they answer.
    ATTRIBUTE_FIELD = {"process": "food_process"}

    def attributes(self) -> ProductAttributes:
        """The answers as the one attributes type (validated by the service)."""
        return ProductAttributes(
            **{
                name: self[self.ATTRIBUTE_FIELD.get(name, name)].data
                for name in ProductAttributes.names()
            }
        )

    def product_input(self) -> ProductInput:
        """Everything the owner typed, as the catalog service takes it."""
        return ProductInput(
            name=self.name.data,
            description=self.description.data,
            ingredients=self.ingredients.data,
            category=self.category.data,
            price_idr=self.price_idr.data,
            stock=self.stock.data or 0,
            attributes=self.attributes(),
            weight_grams=self.weight_grams.data,
            length_cm=self.length_cm.data,
            width_cm=self.width_cm.data,
            height_cm=self.height_cm.data,
        )

    def show_attributes(self, attributes: ProductAttributes) -> None:
        """Fill the attribute fields from a product's attributes (the edit page)."""
        for name, value in attributes.as_dict().items():
            self[self.ATTRIBUTE_FIELD.get(name, name)].data = value


class ReviewForm(Form):
    action = SelectField(
        _l("Keputusan"),
        choices=choices(
            [
                ("verify", _l("Verifikasi: dokumen asli dan nomor cocok")),
                ("reject", _l("Tolak: ada yang salah")),
                ("revoke", _l("Cabut verifikasi")),
            ]
        ),
    )
    note = TextAreaField(
        _l("Alasan / catatan untuk pemilik usaha"), validators=[Optional(), Length(max=1000)]
    )


class ImageForm(Form):
    file = FileField(_l("Foto produk (JPG/PNG, maks. 5 MB)"))


class ListForm(Form):
    """Listing a product: "tanpa foto" must be said when it has no photo (issue 16)."""

    without_photo = BooleanField(_l("Tampilkan tanpa foto (produk ini memang tidak ada fotonya)"))


class StorefrontForm(Form):
    description = TextAreaField(
        _l("Tentang usaha Anda (tampil di etalase)"),
        validators=[Optional(), Length(max=1000)],
    )


class VariantsForm(Form):
    """The product's variants (issue 16): the option names here, the rows (label, stock,
    price difference) as ``variant-<n>-<field>`` inputs read by ``variant_rows``."""

    option1_name = StringField(
        _l("Nama pilihan"), default="Ukuran", validators=[Optional(), Length(max=30)]
    )
    option2_name = StringField(
        _l("Nama pilihan kedua (boleh kosong)"), validators=[Optional(), Length(max=30)]
    )


MAX_VARIANT_ROWS = 40  # what the form reads; the service allows variants.MAX_VARIANTS


def variant_rows(form_data) -> list:
    """The posted rows as the service takes them (numbers as typed: "65.000", "-5.000")."""
    from marketplace.catalog.variants import VariantRow

    rows = []
    for n in range(MAX_VARIANT_ROWS):
        prefix = f"variant-{n}-"
        if not any(key.startswith(prefix) for key in form_data):
            continue
        raw_id = (form_data.get(prefix + "id") or "").strip()
        rows.append(
            VariantRow(
                id=int(raw_id) if raw_id.isdigit() and len(raw_id) < 12 else None,
                option1=(form_data.get(prefix + "option1") or "")[:80],
                option2=(form_data.get(prefix + "option2") or "")[:80],
                stock=(form_data.get(prefix + "stock") or "")[:20],
                price_delta=(form_data.get(prefix + "price_delta") or "")[:20],
                remove=form_data.get(prefix + "remove") == "1",
            )
        )
    return rows
