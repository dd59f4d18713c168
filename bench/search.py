"""Search benchmark: our Whoosh index (the project's own code) against SQLite FTS5.

    .venv/bin/python bench/search.py                 # 100,000 products (a few minutes)
    .venv/bin/python bench/search.py --n 5000        # quick

Generates N synthetic listed products (Indonesian names and descriptions across the
categories and the 44 chapters, fixed seed), builds the Whoosh index through
``ProductIndex.rebuild`` and an FTS5 table over the same texts, runs the same fixed query
set (1-3 words, with and without filters and sorts, top 20) through both, and prints build
time, p50/p95 and morphology recall for each. The last line is the headline:
``search p95 ratio whoosh/fts5: X.XX``. Targets at 100k: recall >= 0.95 for ours, reindex
<= 60 s, p95 ratio <= 3 (QUALITY.md, "Performance").

Morphology recall: for each recall query (written with an affixed form, e.g. "kepedasan",
"pakaian", "kerajinan", or a one-edit typo, e.g. "kripik", "sambel") one target product is
planted whose text holds the root or another affixed form ("pedas", "dipakai",
"pengrajin", "keripik", "sambal") and a rare anchor word; 25 decoys carry the anchor in
their name but not the query's other words. A query counts when its target is in the top
20. FTS5 indexes the raw text (unicode61, no stemming): the peer as it comes.
"""

import argparse
import gc
import random
import re
import resource
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

try:
    import marketplace  # noqa: F401  (installed; PYTHONPATH may point at another checkout)
except ImportError:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from marketplace.chapters.reference import chapters  # noqa: E402
from marketplace.search.analysis import analyse  # noqa: E402
from marketplace.search.index import Filters, ProductIndex  # noqa: E402

SEED = 20261111
TOP = 20
DECOYS = 25
EPOCH = 1_704_067_200  # 2024-01-01 UTC; products are created over the two years after

# --- vocabulary ---------------------------------------------------------------------------

# Per category: product nouns (with their own kinds), modifiers, package/size phrases.
VOCAB = {
    "kuliner": {
        "nouns": {
            "Keripik": "singkong pisang tempe kentang usus kaca talas sukun bayam jamur",
            "Sambal": "bawang terasi matah ijo roa cumi teri dabu-dabu bajak korek",
            "Abon": "sapi ayam ikan jamur tuna lele",
            "Kue": "kering lapis bolu putu lumpur cubit sus pia bangkit semprit",
            "Nastar": "keju nanas premium mini",
            "Kopi": "arabika robusta luwak tubruk bubuk gayo toraja kintamani",
            "Madu": "hutan randu kelengkeng murni klanceng",
            "Rendang": "daging paru telur jengkol",
            "Dodol": "betawi durian ketan garut",
            "Kerupuk": "udang bawang kulit gendar rambak",
            "Rempeyek": "kacang teri udang",
            "Emping": "melinjo manis",
            "Bolu": "pandan kukus gulung",
            "Roti": "sobek manis gambang buaya",
            "Teh": "melati tarik hijau serai",
            "Jamu": "kunyit asam beras kencur temulawak",
            "Selai": "nanas srikaya stroberi",
            "Bumbu": "rendang rawon soto pecel",
            "Kacang": "bawang mete telur atom",
            "Manisan": "mangga pala salak",
            "Lapis": "legit surabaya",
            "Serundeng": "kelapa daging",
            "Wajik": "ketan gula",
            "Tape": "singkong ketan",
        },
        "mods": "pedas manis gurih asin renyah original balado keju coklat pandan durian jahe "
        "homemade premium spesial lezat enak murah legit empuk wangi",
        "sizes": "100 gram|250 gram|500 gram|1 kg|toples|pouch|kemasan kecil|kemasan besar|"
        "isi 10|isi 20|level 3|level 5",
    },
    "fashion": {
        "nouns": {
            "Batik": "tulis cap cetak kombinasi",
            "Kemeja": "batik katun linen flanel",
            "Daster": "rayon batik jumbo",
            "Kebaya": "modern encim brokat",
            "Gamis": "syari polos motif",
            "Hijab": "instan|segi empat|pashmina|bergo",
            "Mukena": "katun parasut travel",
            "Sarung": "tenun batik goyor",
            "Songket": "palembang minang",
            "Kain": "tenun batik lurik jumputan",
            "Selendang": "batik sutra tenun",
            "Celana": "kulot chino jeans sirwal",
            "Rok": "plisket span batik",
            "Blus": "katun rayon",
            "Kaos": "polos sablon oblong",
            "Jaket": "denim parasut",
            "Tas": "selempang kulit punggung",
            "Dompet": "kulit kain",
            "Sepatu": "kulit kanvas",
            "Sandal": "jepit kulit",
            "Topi": "rajut kain",
            "Baju": "koko|anak|muslim|batik|kurung",
            "Kerudung": "polos motif",
        },
        "mods": "wanita pria anak remaja dewasa muslimah motif parang kawung megamendung "
        "ondel-ondel tumpal merah biru hitam putih hijau kuning coklat navy maroon krem "
        "katun rayon sutra linen denim kulit lengan panjang pendek",
        "sizes": "S|M|L|XL|XXL|allsize|jumbo|ukuran anak|ukuran dewasa",
    },
    "kriya": {
        "nouns": {
            "Anyaman": "rotan bambu pandan mendong purun lidi",
            "Keranjang": "rotan bambu plastik",
            "Tas": "rotan anyaman pandan",
            "Tikar": "pandan mendong",
            "Kap": "lampu",
            "Vas": "bunga gerabah keramik",
            "Gerabah": "tanah liat|hias",
            "Keramik": "hias",
            "Ukiran": "kayu jati",
            "Patung": "kayu batu",
            "Hiasan": "dinding meja",
            "Topeng": "betawi kayu",
            "Wayang": "golek kulit",
            "Miniatur": "ondel-ondel monas becak bajaj",
            "Gantungan": "kunci",
            "Nampan": "rotan kayu",
            "Kerajinan": "manik-manik kayu bambu rotan",
        },
        "mods": "handmade unik antik klasik etnik natural minimalis besar kecil sedang "
        "coklat hitam natural souvenir kado oleh-oleh",
        "sizes": "diameter 20 cm|diameter 30 cm|tinggi 40 cm|set 3|set 5|satuan",
    },
    "kosmetik": {
        "nouns": {
            "Sabun": "sereh|kopi|beras|madu|zaitun|susu kambing|arang",
            "Lulur": "bengkoang beras kopi mangir temulawak",
            "Masker": "wajah bengkoang beras",
            "Minyak": "kemiri zaitun kelapa urut telon",
            "Serum": "wajah rambut",
            "Bedak": "dingin tabur",
            "Lipstik": "matte",
            "Parfum": "melati mawar",
            "Lotion": "tubuh",
            "Scrub": "kopi gula",
            "Shampo": "lidah buaya|urang-aring",
            "Balsem": "jahe",
        },
        "mods": "alami herbal organik tradisional natural halal harum segar lembut "
        "cerah glowing kering berminyak sensitif",
        "sizes": "50 ml|100 ml|250 ml|30 gram|100 gram|travel size|isi ulang",
    },
    "pendidikan": {
        "nouns": {
            "Buku": "cerita anak|resep|latihan soal|aktivitas|mewarnai",
            "Modul": "pelajaran matematika",
            "Kartu": "huruf angka",
            "Puzzle": "kayu angka huruf",
            "Alat": "peraga hitung",
            "Kursus": "komputer|menjahit|bahasa inggris",
            "Les": "privat matematika mengaji",
            "Kelas": "membatik memasak menulis",
        },
        "mods": "anak sd smp sma balita edukasi interaktif bergambar lengkap terbaru "
        "inggris indonesia",
        "sizes": "jilid 1|jilid 2|paket lengkap|per sesi|per bulan|4 pertemuan",
    },
    "perikanan": {
        "nouns": {
            "Ikan": "asin teri cakalang bandeng lele tongkol kembung tuna nila gurame",
            "Udang": "rebon ebi vaname",
            "Cumi": "asin kering",
            "Kerang": "hijau dara",
            "Terasi": "udang bangka",
            "Cupang": "halfmoon plakat",
            "Koi": "kohaku lokal",
            "Bibit": "lele nila gurame",
            "Pakan": "ikan pelet",
            "Otak-otak": "ikan bakar",
            "Pempek": "kapal selam|lenjer|adaan",
            "Bandeng": "presto|duri lunak|asap",
        },
        "mods": "segar beku kering asap presto laut tawar fillet frozen vakum",
        "sizes": "250 gram|500 gram|1 kg|per ekor|isi 10|isi 50",
    },
    "pertanian": {
        "nouns": {
            "Sayur": "bayam kangkung sawi pakcoy selada",
            "Cabai": "rawit merah keriting",
            "Tomat": "cherry sayur",
            "Bawang": "merah putih daun",
            "Jahe": "merah emprit",
            "Kunyit": "segar bubuk",
            "Buah": "mangga pisang jambu rambutan salak belimbing alpukat pepaya",
            "Beras": "organik|merah|pandan wangi",
            "Bibit": "tanaman cabai jeruk",
            "Pupuk": "kompos organik cair",
            "Telur": "ayam kampung|bebek|puyuh",
            "Microgreens": "brokoli",
        },
        "mods": "segar organik hidroponik lokal panen manis kampung pilihan grade",
        "sizes": "250 gram|500 gram|1 kg|5 kg|per ikat|per pohon|per butir|isi 30",
    },
    "rumah_tangga": {
        "nouns": {
            "Sapu": "ijuk lidi",
            "Keset": "kaki sabut",
            "Serbet": "dapur katun",
            "Taplak": "meja",
            "Sarung": "bantal|guling",
            "Sprei": "katun",
            "Gorden": "jendela",
            "Rak": "piring sepatu",
            "Cobek": "batu",
            "Ulekan": "kayu",
            "Panci": "presto",
            "Wajan": "besi",
            "Tampah": "bambu",
            "Lilin": "aromaterapi",
            "Sabun": "cuci piring|cuci baju",
            "Pembersih": "lantai kaca",
            "Bantal": "sofa",
            "Kemoceng": "bulu",
        },
        "mods": "murah awet kuat serbaguna minimalis estetik jumbo kecil besar motif polos",
        "sizes": "set 2|set 4|ukuran 160|ukuran 180|1 liter|500 ml|satuan",
    },
}

SENTENCES = {
    "kuliner": [
        "Makanan ringan khas {kota} tanpa pengawet.",
        "Dibuat dari bahan pilihan oleh ibu-ibu {kel}.",
        "Rasa {mod} dengan kepedasan yang pas.",
        "Cocok untuk camilan keluarga dan oleh-oleh.",
        "Dikemas rapi dan higienis, tahan {hari} hari.",
        "Olahan rumahan sejak {tahun}, resep keluarga {orang}.",
        "Minuman dan makanan halal untuk acara arisan.",
        "Digoreng dengan minyak baru setiap hari.",
    ],
    "fashion": [
        "Pakaian nyaman dipakai sehari-hari.",
        "Dijahit rapi oleh penjahit {kel}.",
        "Bahan {mod} adem dan tidak luntur.",
        "Motif khas {kota} hasil kerajinan tangan.",
        "Tersedia ukuran {size}, cocok untuk kondangan.",
        "Model terbaru koleksi {tahun}.",
    ],
    "kriya": [
        "Kerajinan tangan pengrajin {kel}.",
        "Dianyam manual dari bahan alami.",
        "Cocok untuk hiasan rumah dan kado pernikahan.",
        "Setiap produk unik, buatan {orang} dari {kota}.",
        "Finishing {mod} dan kuat dipakai bertahun-tahun.",
    ],
    "kosmetik": [
        "Perawatan kulit dari bahan alami.",
        "Membantu kecantikan kulit wajah dan tubuh.",
        "Wangi {mod}, terdaftar BPOM.",
        "Diracik oleh {orang} di {kota} sejak {tahun}.",
        "Tanpa paraben, aman untuk kulit sensitif.",
    ],
    "pendidikan": [
        "Pelajaran seru untuk anak usia sekolah.",
        "Disusun oleh guru berpengalaman dari {kota}.",
        "Belajar sambil bermain di rumah.",
        "Pengajar {orang}, jadwal fleksibel.",
        "Materi {mod} sesuai kurikulum terbaru.",
    ],
    "perikanan": [
        "Hasil perikanan nelayan {kel}.",
        "Ditangkap segar lalu dibersihkan.",
        "Pengasapan tradisional dengan kayu {mod}.",
        "Dikirim beku dalam kemasan vakum dari {kota}.",
        "Olahan ikan tanpa bahan pengawet.",
    ],
    "pertanian": [
        "Hasil pertanian kebun {kel}.",
        "Dipetik segar pagi hari dari kebun {orang}.",
        "Ditanam tanpa pestisida kimia.",
        "Panen langsung dari petani {kota}.",
        "Sayuran dan buah {mod} setiap minggu.",
    ],
    "rumah_tangga": [
        "Perlengkapan rumah tangga buatan {orang}.",
        "Kuat dan awet dipakai bertahun-tahun.",
        "Membersihkan lantai dan perabot dengan mudah.",
        "Produksi rumahan di {kel}, {kota}.",
        "Peralatan dapur {mod} untuk keluarga.",
    ],
}
COMMON = [
    "Pengiriman cepat dari {street}.",
    "Melayani pembelian grosir dan eceran.",
    "Produk UMKM binaan chapter {chapter}.",
    "Bisa pesan untuk hampers dan souvenir.",
    "Hubungi {orang} untuk pemesanan dalam jumlah besar.",
    "Stok terbatas, siap kirim ke seluruh Indonesia.",
    "Garansi uang kembali jika produk rusak.",
]
BUSINESS_PREFIXES = ["Toko", "Dapur", "Rumah", "Griya", "Warung", "Sanggar", "Kedai", "UMKM"]
HONORIFICS = ["Bu", "Pak", "Mbak", "Mas", "Ibu", "Kak"]

# --- recall cases -------------------------------------------------------------------------
# (query, category, target name, target description). The last word of each query is the
# anchor: a word nothing else in the corpus uses, which the target carries in its
# description and the decoys in their names.
RECALL_CASES = [
    ("kripik gadung", "kuliner", "Keripik Singkong Balado", "Renyah, campuran gadung."),
    ("kepedasan andaliman", "kuliner", "Sambal Roa Pedas", "Sambal rumahan, andaliman asli."),
    ("sambel kecombrang", "kuliner", "Sambal Terasi Ulek", "Dengan kecombrang segar."),
    ("makanan ringan porang", "kuliner", "Camilan Ringan", "Enak dimakan, dari porang."),
    ("krupuk kluwek", "kuliner", "Kerupuk Udang Mentah", "Gurih dengan kluwek."),
    ("baso kelor", "kuliner", "Bakso Sapi Beku", "Adonan dicampur daun kelor."),
    ("randang kapulaga", "kuliner", "Rendang Daging Sapi", "Dimasak dengan kapulaga."),
    ("minuman rosela", "kuliner", "Teh Herbal Celup", "Segar diminum, kelopak rosela."),
    ("manisan ganyong", "kuliner", "Dodol Manis Legit", "Dari tepung ganyong."),
    ("olahan gembili", "kuliner", "Keripik Umbi Diolah Sendiri", "Umbi gembili pilihan."),
    ("gorengan kecipir", "kuliner", "Peyek Digoreng Kering", "Daun kecipir muda."),
    ("madhu bidara", "kuliner", "Madu Hutan Murni", "Dari nektar bunga bidara."),
    ("kue-kue wijen", "kuliner", "Aneka Kue Kering", "Taburan wijen panggang."),
    ("pengasapan julung", "perikanan", "Ikan Asap Khas Manado", "Ikan julung diasap."),
    ("olahan belanak", "perikanan", "Ikan Presto Duri Lunak", "Belanak diolah tanpa pengawet."),
    ("krupuk ikan tamban", "perikanan", "Kerupuk Ikan Tenggiri", "Dengan ikan tamban."),
    ("pakaian sidomukti", "fashion", "Kain Batik Tulis", "Dipakai ke kondangan, sidomukti."),
    ("kemja truntum", "fashion", "Kemeja Batik Pria", "Motif truntum klasik."),
    ("rajutan ceplok", "fashion", "Topi Rajut Anak", "Motif ceplok."),
    ("tenunan gringsing", "fashion", "Kain Tenun Ikat", "Motif gringsing."),
    ("sulaman kerancang", "fashion", "Kerudung Sulam Tangan", "Hiasan kerancang."),
    ("krudung tambal", "fashion", "Kerudung Segi Empat", "Motif tambal."),
    ("dester lasem", "fashion", "Daster Rayon Jumbo", "Batik lasem."),
    ("spatu pantofel", "fashion", "Sepatu Kulit Pria", "Model pantofel kerja."),
    ("bordiran kutubaru", "fashion", "Kebaya Bordir Modern", "Potongan kutubaru."),
    ("jahitan surjan", "fashion", "Baju Adat Pria", "Dijahit rapi model surjan."),
    ("kerajinan eceng", "kriya", "Tas Anyaman Tangan", "Buatan pengrajin, eceng gondok."),
    ("anyaman agel", "kriya", "Keranjang Serbaguna", "Dianyam dari serat agel."),
    ("ukiran tempurung", "kriya", "Mangkuk Ukir", "Dari tempurung kelapa tua."),
    ("rottan ketak", "kriya", "Kotak Tisu Rotan", "Dipadu anyaman ketak."),
    ("perhiasan mutiara", "kriya", "Kalung Hias Manik", "Dengan mutiara air tawar."),
    ("luluran kenanga", "kosmetik", "Lulur Mandi Tradisional", "Aroma kenanga."),
    ("pembersih mentimun", "kosmetik", "Sabun Muka Bersih Alami", "Ekstrak mentimun."),
    ("pelembap kolagen", "kosmetik", "Krim Lembap Harian", "Dengan kolagen laut."),
    ("kecantikan gaharu", "kosmetik", "Parfum Cantik Tahan Lama", "Wangi gaharu."),
    ("pewangi cendana", "rumah_tangga", "Lilin Aromaterapi Wangi", "Aroma cendana."),
    ("pembersih lantai lerak", "rumah_tangga", "Sabun Lantai Bersih", "Dari buah lerak."),
    ("tudung anyaman nipah", "rumah_tangga", "Tudung Saji Bambu", "Dianyam dari daun nipah."),
    ("peralatan dapur sonokeling", "rumah_tangga", "Set Alat Dapur Kayu", "Kayu sonokeling."),
    ("pelajaran aksara", "pendidikan", "Buku Belajar Membaca", "Mengenal aksara Jawa."),
    ("mewarnai fauna", "pendidikan", "Buku Gambar Warna Anak", "Tema fauna Nusantara."),
    ("bacaan dongeng kancil", "pendidikan", "Buku Cerita Membaca", "Dongeng si kancil."),
    ("pelatihan sasirangan", "pendidikan", "Kursus Jahit Dasar", "Dilatih motif sasirangan."),
    ("sayuran pakis", "pertanian", "Sayur Organik Segar", "Daun pakis muda."),
    ("buah-buahan matoa", "pertanian", "Buah Segar Papua", "Buah matoa manis."),
    ("tanaman sambiloto", "pertanian", "Bibit Tanam Herbal", "Daun sambiloto."),
    ("alpokat mentega", "pertanian", "Alpukat Super", "Jenis mentega, daging tebal."),
]


def _fuzzy_match(q: str, t: str) -> bool:
    """One edit apart with the same first letter (what the query's fuzzy terms allow)."""
    if q == t:
        return True
    if len(q) < 4 or not q.isalpha() or not t or t[0] != q[0] or abs(len(q) - len(t)) > 1:
        return False
    if len(q) == len(t):
        return sum(a != b for a, b in zip(q, t, strict=True)) == 1
    short, long_ = (q, t) if len(q) < len(t) else (t, q)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def _matches_all(query_stems: list[str], name: str, description: str) -> bool:
    name_terms = set(analyse(name))
    all_terms = name_terms | set(analyse(description))
    for q in query_stems:
        if q in all_terms:
            continue
        if any(_fuzzy_match(q, t) for t in name_terms):
            continue
        return False
    return True


# --- corpus -------------------------------------------------------------------------------


class Corpus:
    def __init__(self, n: int, seed: int = SEED):
        from faker import Faker

        self.rng = random.Random(seed)
        fake = Faker("id_ID")
        fake.seed_instance(seed)
        self.cities = sorted({fake.city() for _ in range(400)})
        self.people = [f"{fake.first_name()} {fake.last_name()}" for _ in range(1500)]
        self.streets = [fake.street_name() for _ in range(600)]
        self.chapters = chapters()
        self.places = sorted({c["name"] for c in self.chapters})
        self.businesses = []
        for i in range(max(200, n // 20)):
            chapter = self.chapters[i % len(self.chapters)]
            r = self.rng.random()
            if r < 0.4:
                name = fake.company()
            elif r < 0.8:
                name = f"{self.rng.choice(BUSINESS_PREFIXES)} {self.rng.choice(HONORIFICS)} "
                name += fake.first_name()
            else:
                name = f"{self.rng.choice(BUSINESS_PREFIXES)} {fake.last_name()} {chapter['name']}"
            self.businesses.append((name, chapter))
        self.n = n
        self.documents: list[dict] = []
        self.recall: list[tuple[str, int]] = []
        self._build()

    def _fill(self, template: str, category: str, chapter: dict) -> str:
        rng = self.rng
        return template.format(
            kota=rng.choice(self.cities),
            kel=rng.choice(self.places),
            mod=rng.choice(VOCAB[category]["mods"].split()),
            hari=rng.choice((7, 14, 30, 60, 90)),
            tahun=rng.randint(1995, 2025),
            orang=rng.choice(self.people),
            size=rng.choice(VOCAB[category]["sizes"].split("|")),
            street=rng.choice(self.streets),
            chapter=chapter["name"],
        )

    def _random_product(self, category: str | None = None):
        rng = self.rng
        category = category or rng.choices(list(VOCAB), weights=(30, 22, 12, 10, 4, 8, 8, 6))[0]
        v = VOCAB[category]
        noun = rng.choice(list(v["nouns"]))
        kinds = v["nouns"][noun]
        kind = rng.choice(kinds.split("|") if "|" in kinds else kinds.split())
        mods = v["mods"].split()
        words = [noun, kind.title()]
        words += [m.capitalize() for m in rng.sample(mods, rng.randint(0, 2))]
        if rng.random() < 0.5:
            words.append(rng.choice(v["sizes"].split("|")))
        business, chapter = rng.choice(self.businesses)
        sentences = rng.sample(SENTENCES[category], rng.randint(2, 4))
        sentences += rng.sample(COMMON, rng.randint(0, 2))
        description = " ".join(self._fill(s, category, chapter) for s in sentences)
        return category, " ".join(words), description, business, chapter

    def _document(self, category, name, description, business, chapter) -> dict:
        rng = self.rng
        base = {
            "kuliner": 25_000,
            "fashion": 150_000,
            "kriya": 120_000,
            "kosmetik": 45_000,
            "pendidikan": 90_000,
            "perikanan": 60_000,
            "pertanian": 30_000,
            "rumah_tangga": 70_000,
        }[category]
        price = max(1000, int(base * rng.lognormvariate(0, 0.7)) // 500 * 500)
        return {
            "id": "",  # assigned in _build
            "name": name,
            "description": description,
            "business_name": business,
            "category": category,
            "chapter": chapter["slug"],
            "kota": chapter["kota_code"],
            "halal": category in ("kuliner", "perikanan", "kosmetik") and rng.random() < 0.7,
            "in_stock": rng.random() < 0.9,
            "price": price,
            "created": EPOCH + rng.randint(0, 2 * 365 * 86400),
        }

    def _build(self) -> None:
        rng = self.rng
        planted: list[tuple[dict, int | None]] = []  # (document, recall case index)
        for index, (query, category, name, description) in enumerate(RECALL_CASES):
            anchor = query.split()[-1]
            stems = analyse(query)
            _, _, desc_extra, business, chapter = self._random_product(category)
            planted.append(
                (
                    self._document(
                        category, name, f"{description} {desc_extra}", business, chapter
                    ),
                    index,
                )
            )
            made = 0
            while made < DECOYS:
                cat, dname, ddesc, dbusiness, dchapter = self._random_product(category)
                dname = f"{dname} {anchor.capitalize()}"
                if _matches_all(stems, dname, ddesc):
                    continue  # a decoy must not match all the query's words
                planted.append((self._document(cat, dname, ddesc, dbusiness, dchapter), None))
                made += 1
        if len(planted) >= self.n:
            raise SystemExit(f"--n must be larger than {len(planted)} (the planted products)")
        documents: list[tuple[dict, int | None]] = [
            (self._document(*self._random_product()), None) for _ in range(self.n - len(planted))
        ]
        for item in planted:
            documents.insert(rng.randrange(len(documents) + 1), item)
        for number, (document, case) in enumerate(documents, start=1):
            document["id"] = str(number)
            if case is not None:
                self.recall.append((RECALL_CASES[case][0], number))
        self.documents = [d for d, _ in documents]
        self._check_anchors()

    def _check_anchors(self) -> None:
        # Each anchor must appear only in its own target and decoys, and each target must
        # hold every query stem (exactly, or one edit away in its name for typos).
        anchors = {q.split()[-1] for q, *_ in RECALL_CASES}
        counts = dict.fromkeys(anchors, 0)
        word = re.compile(r"[0-9a-z\u00c0-\u024f]+")
        for document in self.documents:
            text = f"{document['name']} {document['description']} {document['business_name']}"
            for w in set(word.findall(text.lower())) & anchors:
                counts[w] += 1
        bad = {a: c for a, c in counts.items() if c != DECOYS + 1}
        if bad:
            raise SystemExit(f"anchor words used elsewhere in the corpus: {bad}")
        by_id = {int(d["id"]): d for d in self.documents}
        for query, target in self.recall:
            doc = by_id[target]
            if not _matches_all(analyse(query), doc["name"], doc["description"]):
                raise SystemExit(f"recall target for {query!r} does not hold its words")


# --- the fixed query set ------------------------------------------------------------------


def query_set(corpus: Corpus) -> list[tuple[str, Filters, str]]:
    slugs = [c["slug"] for c in chapters()]
    kota = sorted({c["kota_code"] for c in chapters()})
    plain = [
        "keripik",
        "batik",
        "kopi",
        "sambal",
        "tas",
        "madu",
        "sabun",
        "kue",
        "rotan",
        "daster",
        "abon",
        "ikan",
        "keripik pedas",
        "batik wanita",
        "kemeja pria",
        "tas rotan",
        "kopi arabika",
        "kue kering",
        "ikan asin",
        "madu hutan",
        "lulur beras",
        "sabun sereh",
        "baju batik wanita",
        "sambal bawang pedas",
        "keripik singkong balado",
        "tas anyaman rotan",
        "hijab segi empat",
        "buku cerita anak",
        # affixed and misspelled forms
        "kripik pedas",
        "pakaian wanita",
        "kerajinan rotan",
        "makanan ringan",
        "kepedasan",
        "kue-kue",
        "sambel",
        "krupuk ikan",
        "perawatan kulit",
        "sayuran segar",
        "pengrajin bambu",
        # words that rarely or never meet (fallback to any word, suggestion)
        "sepatu kulit buaya",
        "batk tulis",
        "rendang jengkol pedas",
    ]
    filtered = [
        ("keripik", Filters(category="kuliner"), "relevance"),
        ("batik", Filters(category="fashion", in_stock=True), "relevance"),
        ("kopi", Filters(halal=True), "relevance"),
        ("sambal pedas", Filters(chapter=slugs[5]), "relevance"),
        ("tas rotan", Filters(kota=kota[2]), "relevance"),
        ("kue kering", Filters(min_price=20_000, max_price=60_000), "relevance"),
        ("madu", Filters(category="kuliner", halal=True, in_stock=True), "relevance"),
        ("kemeja pria", Filters(kota=kota[1], in_stock=True), "relevance"),
        ("sabun", Filters(category="kosmetik", max_price=50_000), "relevance"),
        ("ikan asin", Filters(chapter=slugs[20], in_stock=True), "relevance"),
        ("keripik", None, "price_asc"),
        ("batik wanita", None, "price_desc"),
        ("kopi", None, "newest"),
        ("daster", Filters(category="fashion"), "price_asc"),
        ("kerajinan rotan", Filters(kota=kota[3]), "newest"),
        ("makanan ringan", Filters(halal=True), "price_asc"),
        ("kue", Filters(min_price=10_000), "price_desc"),
        ("tas", Filters(chapter=slugs[30]), "newest"),
        ("sambel", Filters(category="kuliner", in_stock=True), "newest"),
        ("pakaian anak", Filters(max_price=100_000), "price_asc"),
    ]
    out = [(q, Filters(), "relevance") for q in plain]
    out += [(q, f or Filters(), s) for q, f, s in filtered]
    return out


# --- engines ------------------------------------------------------------------------------


class WhooshEngine:
    name = "whoosh"

    def __init__(self, folder: Path, procs: int):
        self.index = ProductIndex(folder / "whoosh")
        self.procs = procs

    def build(self, documents: list[dict]) -> float:
        gc.collect()
        start = time.perf_counter()
        count = self.index.rebuild(iter(documents), position=0, procs=self.procs)
        self.index.searcher()  # opened as a server would, before its first request
        elapsed = time.perf_counter() - start
        assert count == len(documents)
        return elapsed

    def search(self, text: str, filters: Filters, sort: str, facets: bool = False) -> list[int]:
        return self.index.search(text, filters, sort=sort, per_page=TOP, facets=facets).ids


class Fts5Engine:
    name = "fts5"
    WORD = re.compile(r"[0-9a-z\u00c0-\u024f]+")
    ORDER = {
        "relevance": "bm25(products_fts, 3.0, 1.5, 1.0)",
        "price_asc": "p.price ASC",
        "price_desc": "p.price DESC",
        "newest": "p.created DESC",
    }

    def __init__(self, folder: Path):
        self.path = folder / "fts5.sqlite3"
        self.db = None

    def build(self, documents: list[dict]) -> float:
        gc.collect()
        start = time.perf_counter()
        db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("BEGIN")
        db.execute(
            "CREATE TABLE products (id INTEGER PRIMARY KEY, category TEXT, chapter TEXT,"
            " kota TEXT, halal INTEGER, in_stock INTEGER, price INTEGER, created INTEGER)"
        )
        db.execute(
            "CREATE VIRTUAL TABLE products_fts USING fts5("
            "name, description, business_name, tokenize='unicode61')"
        )
        db.executemany(
            "INSERT INTO products VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    int(d["id"]),
                    d["category"],
                    d["chapter"],
                    d["kota"],
                    int(d["halal"]),
                    int(d["in_stock"]),
                    d["price"],
                    d["created"],
                )
                for d in documents
            ),
        )
        db.executemany(
            "INSERT INTO products_fts (rowid, name, description, business_name)"
            " VALUES (?, ?, ?, ?)",
            ((int(d["id"]), d["name"], d["description"], d["business_name"]) for d in documents),
        )
        for column in ("category", "chapter", "kota", "price", "created"):
            db.execute(f"CREATE INDEX ix_products_{column} ON products ({column})")
        db.execute("COMMIT")
        db.execute("ANALYZE")
        self.db = db
        return time.perf_counter() - start

    def _run(self, match: str, filters: Filters, sort: str) -> list[int]:
        where = ["products_fts MATCH ?"]
        params: list = [match]
        for column in ("category", "chapter", "kota"):
            value = getattr(filters, column)
            if value:
                where.append(f"p.{column} = ?")
                params.append(value)
        if filters.halal is not None:
            where.append("p.halal = ?")
            params.append(int(filters.halal))
        if filters.in_stock:
            where.append("p.in_stock = 1")
        if filters.min_price is not None:
            where.append("p.price >= ?")
            params.append(filters.min_price)
        if filters.max_price is not None:
            where.append("p.price <= ?")
            params.append(filters.max_price)
        # CROSS JOIN keeps FTS as the outer loop (RECIPES: a plain JOIN may drive from the
        # category index and probe FTS per row).
        sql = (
            "SELECT p.id FROM products_fts CROSS JOIN products p ON p.id = products_fts.rowid"
            f" WHERE {' AND '.join(where)} ORDER BY {self.ORDER[sort]} LIMIT {TOP}"
        )
        return [row[0] for row in self.db.execute(sql, params)]

    def search(self, text: str, filters: Filters, sort: str, facets: bool = False) -> list[int]:
        words = list(dict.fromkeys(self.WORD.findall(text.lower())))
        if not words:
            return []
        quoted = [f'"{w}"' for w in words]
        ids = self._run(" ".join(quoted), filters, sort)
        if not ids and len(words) > 1:  # the same fallback as ours: any word
            ids = self._run(" OR ".join(quoted), filters, sort)
        return ids


# --- measuring ----------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def time_queries(engines, queries, repeat: int, facets: bool = False) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {e.name: [] for e in engines}
    for e in engines:  # warm-up pass
        for text, filters, sort in queries:
            e.search(text, filters, sort, facets)
    for r in range(repeat):
        order = engines if r % 2 == 0 else list(reversed(engines))
        for text, filters, sort in queries:
            for e in order:
                start = time.perf_counter()
                e.search(text, filters, sort, facets)
                times[e.name].append(time.perf_counter() - start)
    return times


def recall(engine, cases) -> tuple[float, list[str]]:
    missed = [q for q, target in cases if target not in engine.search(q, Filters(), "relevance")]
    return 1 - len(missed) / len(cases), missed


def one_run(corpus, queries, args, number: int) -> dict:
    """Build both, time the queries, recall, facets and the first search after an update."""
    folder = Path(tempfile.mkdtemp(prefix="bench-search-"))
    whoosh = WhooshEngine(folder, args.procs)
    fts5 = Fts5Engine(folder)
    out: dict = {}
    for engine in (whoosh, fts5):
        out[f"build {engine.name} s"] = engine.build(corpus.documents)
        print(
            f"run {number}: built {engine.name} in {out[f'build {engine.name} s']:.1f} s",
            flush=True,
        )
    engines = [whoosh, fts5]
    times = time_queries(engines, queries, args.repeat)
    for e in engines:
        out[f"p50 {e.name} ms"] = percentile(times[e.name], 0.5) * 1000
        out[f"p95 {e.name} ms"] = percentile(times[e.name], 0.95) * 1000
    faceted = time_queries([whoosh], queries, args.repeat, facets=True)["whoosh"]
    out["p95 whoosh faceted ms"] = percentile(faceted, 0.95) * 1000
    for e in engines:
        out[f"recall {e.name}"], missed = recall(e, corpus.recall)
        if missed and number == 1:
            print(f"{e.name} missed {len(missed)}: {', '.join(missed)}")
    # What the warm numbers leave out: an index change starts a new searcher generation.
    sample = dict(corpus.documents[len(corpus.documents) // 2])
    sample["name"] += " Baru"
    start = time.perf_counter()
    whoosh.index.apply({int(sample["id"]): sample}, position=1)
    out["apply one update ms"] = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    whoosh.search("kue kering", Filters(in_stock=True, min_price=20_000), "price_asc", True)
    out["first search after it ms"] = (time.perf_counter() - start) * 1000
    out["ratio p95 whoosh/fts5"] = out["p95 whoosh ms"] / out["p95 fts5 ms"]
    if args.keep:
        print(f"kept {folder}")
    else:
        whoosh.index.close()
        fts5.db.close()
        shutil.rmtree(folder, ignore_errors=True)
    return out


def peak_rss_gb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest child (the writers), GB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 2**20
    return own, child


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="products (default 100000)")
    parser.add_argument("--runs", type=int, default=3, help="builds and timings (default 3)")
    parser.add_argument("--procs", type=int, default=2, help="Whoosh writer processes")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the queries")
    parser.add_argument("--queries", help="only these queries (comma-separated), no filters")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folders")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    corpus = Corpus(args.n)
    distinct = {
        w
        for d in corpus.documents
        for w in Fts5Engine.WORD.findall(
            f"{d['name']} {d['description']} {d['business_name']}".lower()
        )
    }
    print(
        f"corpus: {len(corpus.documents)} products, {len(distinct)} distinct words, "
        f"{len(corpus.recall)} recall queries; generated in {time.perf_counter() - start:.1f} s"
    )
    if args.queries:
        queries = [(q.strip(), Filters(), "relevance") for q in args.queries.split(",")]
    else:
        queries = query_set(corpus)
    runs = [one_run(corpus, queries, args, number) for number in range(1, args.runs + 1)]

    print()
    print(
        f"{len(queries)} queries x {args.repeat} passes, top {TOP}, procs={args.procs}, "
        f"n={len(corpus.documents)}, {len(runs)} run(s): min / median / max"
    )
    print(f"ours: {sys.modules[ProductIndex.__module__].__file__}")
    header = f"{'measure':<28} {'min':>9} {'median':>9} {'max':>9}"
    print(header)
    print("-" * len(header))
    for key in runs[0]:
        values = sorted(run[key] for run in runs)
        digits = 3 if key.startswith(("recall", "ratio")) else 1 if key.startswith("build") else 2
        cells = " ".join(
            f"{v:>9.{digits}f}" for v in (values[0], statistics.median(values), values[-1])
        )
        print(f"{key:<28} {cells}")
    own, child = peak_rss_gb()
    print(f"{'peak RSS GB (bench, writer)':<28} {own:>9.2f} {child:>9.2f}")
    ratio = statistics.median(run["ratio p95 whoosh/fts5"] for run in runs)
    print(f"search p95 ratio whoosh/fts5: {ratio:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
