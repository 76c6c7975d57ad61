"""The one CSV writer (otklik/csvout.py): formulas defused, numbers kept, `;` and a BOM for Russian spreadsheets,
and no other module of the platform writes a CSV for people by itself."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path

import pytest

from otklik.csvout import safe_cell, write_csv

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("value, expected", [
    ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"), ("+7 900 000-00-00", "'+7 900 000-00-00"),
    ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\t=1+1", "'\t=1+1"), ("\r=1+1", "'\r=1+1"),
    ("Задержка выплаты", "Задержка выплаты"), ("a=b", "a=b"), ("", ""), (None, ""),
])
def test_a_cell_that_starts_like_a_formula_stays_text(value, expected):
    assert safe_cell(value) == expected


def test_numbers_stay_numbers_and_text_is_defused():
    text = write_csv([["=1+1", -3, 0.25, Decimal("-1.5"), "-3", None, True]], ["name", "=header"])
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows == [["name", "'=header"], ["'=1+1", "-3", "0.25", "-1.5", "'-3", "", "True"]]


def test_delimiter_and_bom_can_be_chosen():
    assert write_csv([["a", "b"]], delimiter=",", bom=False) == "a,b\r\n"


# modules that may use the csv module's writer: the CSV writer itself; the COPY staging of the appeals import
# (PostgreSQL reads it, no person); the synthetic data generator (files to import, for benches and the demo)
ALLOWED_WRITERS = {"platform/otklik/csvout.py", "platform/otklik/intake/importer.py",
                   "platform/otklik/intake/import_write.py",
                   "platform/otklik/intake/synthetic.py"}


def test_every_csv_for_people_goes_through_the_one_writer():
    found = []
    for path in sorted((ROOT / "platform").rglob("*.py")) + sorted((ROOT / "plugins").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if "/tests/" in relative or relative in ALLOWED_WRITERS:
            continue
        if re.search(r"csv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8")):
            found.append(relative)
    assert not found, f"write CSV for people with otklik.csvout.write_csv: {found}"
