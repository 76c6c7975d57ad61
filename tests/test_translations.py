"""The Russian catalogs: every message the code and templates show has a translation, and no English message is
translated two ways. Each capability keeps its own catalog and Flask-Babel merges them, so a message translated
differently in two catalogs would silently take one translation everywhere (the last folder wins)."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from otklik.i18n import translation_dirs

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2),
            "lazy_ngettext": (1, 2)}


def _msgid(message) -> str:
    return message if isinstance(message, str) else message[0]


def _russian_catalogs() -> dict[Path, dict[str, str]]:
    catalogs = {}
    for folder in translation_dirs():
        for po in folder.glob("ru/LC_MESSAGES/*.po"):
            with po.open("rb") as f:
                catalogs[po] = {_msgid(m.id): m.string for m in read_po(f, locale="ru") if m.id and m.string}
    return catalogs


def _shown_messages() -> list[tuple[str, int, str]]:
    """(file, line, msgid) of every translatable message in the app's code (tests aside) and templates."""
    found = []
    sources = (
        (ROOT / "platform" / "otklik", [("**/tests/**", "ignore"), ("**.py", "python")]),
        (ROOT / "plugins", [("**/tests/**", "ignore"), ("**.py", "python")]),
        (ROOT / "templates", [("**.html", "jinja2")]),
    )
    for base, method_map in sources:
        for filename, lineno, message, _comments, _context in extract_from_dir(
                str(base), method_map=method_map, keywords=KEYWORDS):
            found.append((f"{base.name}/{filename}", lineno, _msgid(message)))
    return found


def test_every_shown_message_has_a_russian_translation():
    merged = {}
    for catalog in _russian_catalogs().values():
        merged.update(catalog)
    shown = _shown_messages()
    assert any(f.startswith("templates/") for f, _, _ in shown) and any(f.endswith(".py") for f, _, _ in shown)
    missing = [f"{f}:{line}: {msgid!r}" for f, line, msgid in shown if msgid not in merged]
    assert not missing, "untranslated (add them to the capability's ru catalog):\n" + "\n".join(missing)


def test_no_message_is_translated_two_ways():
    first: dict[str, tuple[Path, str]] = {}
    clashes = []
    for po, catalog in sorted(_russian_catalogs().items()):
        for msgid, text in catalog.items():
            if msgid in first and first[msgid][1] != text:
                clashes.append(f"{msgid!r}: {first[msgid][1]!r} ({first[msgid][0].relative_to(ROOT)}) "
                               f"vs {text!r} ({po.relative_to(ROOT)})")
            first.setdefault(msgid, (po, text))
    assert not clashes, "one English message, two translations (give one of them its own msgid):\n" + "\n".join(clashes)
