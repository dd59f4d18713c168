"""The Jakarta kecamatan/kelurahan reference table shipped in marketplace/data/.

Pure functions with no model imports, so the data migration can use them too.
Source and licence: marketplace/data/NOTICE.
"""

import csv
import re
from functools import cache
from pathlib import Path

CSV_PATH = Path(__file__).resolve().parent.parent / "data" / "dki_kelurahan.csv"


def slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def short_kota(name: str) -> str:
    """'Kota Administrasi Jakarta Pusat' -> 'Jakarta Pusat'."""
    return re.sub(r"^(Kota|Kabupaten) Administrasi ", "", name)


@cache
def load_rows() -> tuple[dict, ...]:
    with CSV_PATH.open(newline="", encoding="utf-8") as fh:
        return tuple(csv.DictReader(fh))


def chapters() -> list[dict]:
    """One chapter per kecamatan, ordered by Kemendagri code."""
    seen: dict[str, dict] = {}
    for row in load_rows():
        seen.setdefault(
            row["kode_kecamatan"],
            {
                "code": row["kode_kecamatan"],
                "name": row["kecamatan"],
                "slug": slugify(row["kecamatan"]),
                "kota": short_kota(row["kota"]),
                "kota_code": row["kode_kota"],
            },
        )
    return [seen[code] for code in sorted(seen)]


def kelurahan() -> list[dict]:
    return [
        {
            "code": row["kode_kelurahan"],
            "name": row["kelurahan"],
            "postal_code": row["kodepos"],
            "kecamatan_code": row["kode_kecamatan"],
        }
        for row in load_rows()
    ]
