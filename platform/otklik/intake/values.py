"""The words the import accepts in the coded columns (kind, audience, client type, outcome, channel).

Exports of other systems write «Жалоба», «Разъяснено», «Сайт» where the register keeps codes. A cell is accepted
when, ignoring case, spacing and ё/е, it is the code, a title of the code in Russian or English (the titles of
`otklik.vocabulary` and of the tenant's channels, so there is one source of words), one of the few common other
words of Russian registers below, or a value the chosen column layout maps (`ImportMapping.values`). A standard
channel's title is accepted for the tenant's channel of that standard when the tenant has exactly one.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import force_locale

from ..channels import STANDARD_CHANNELS, tenant_channels
from ..models.appeal import AUDIENCES, CLIENT_TYPES, KINDS, OUTCOMES
from ..vocabulary import APPEAL_KIND_LABELS, AUDIENCE_LABELS, CLIENT_TYPE_LABELS, OUTCOME_LABELS

CODED = ("kind", "audience", "client_type", "outcome", "channel")
"""The columns whose cells are codes of a closed list."""

# Words of Russian registers that are not a title of ours (input data, not interface text: they stay Russian in
# any interface language). A 59-FZ «заявление» is our `request`.
OTHER_WORDS = {
    "kind": {"request": ("Заявление",), "appeal": ("Обращение гражданина",)},
    "audience": {"external": ("Внешние", "Внешний", "Внешний клиент", "Внешние клиенты"),
                 "internal": ("Внутренние", "Внутренний", "Внутренний клиент", "Внутренние клиенты")},
    "client_type": {"individual": ("Гражданин", "Физлицо", "ФЛ"), "legal_entity": ("Организация", "Юрлицо", "ЮЛ")},
    "outcome": {"explained": ("Дано разъяснение", "Разъяснено"), "pending": ("В работе",)},
    "channel": {"website": ("Сайт", "Интернет-приемная", "Электронная приемная"), "email": ("E-mail", "Email"),
                "epgu": ("ЕПГУ", "Госуслуги"), "pos": ("ПОС",), "social": ("Соцсети", "Социальные сети"),
                "hotline": ("Горячая линия",), "reception": ("Личный прием",), "post": ("Почта России",)},
}
LANGUAGES = ("ru", "en")


def normal(value) -> str:
    """How two spellings of a word compare: case, runs of spaces and ё/е do not matter."""
    return " ".join(str(value).split()).casefold().replace("ё", "е")


@dataclass
class Vocabulary:
    """For each coded column: the allowed codes with their titles (in the request's language), and every accepted
    spelling (normalised) -> code."""

    allowed: dict[str, list[tuple[str, str]]]
    words: dict[str, dict[str, str]]

    def code_of(self, fname: str, value: str) -> str | None:
        return self.words[fname].get(normal(value))

    def allowed_text(self, fname: str) -> str:
        """«Жалоба» (complaint), «Обращение» (appeal), ...: what a refusal of a value lists."""
        return ", ".join(f"«{title}» ({code})" for code, title in self.allowed[fname])


def _titles(labels: dict) -> dict[str, list[str]]:
    """Each code's title in every interface language."""
    out: dict[str, list[str]] = {code: [] for code in labels}
    for lang in LANGUAGES:
        with force_locale(lang):
            for code, label in labels.items():
                out[code].append(str(label))
    return out


def vocabulary(tenant, value_map: dict | None = None) -> Vocabulary:
    """The tenant's accepted words; `value_map` (field -> {source value: code}) is a layout's own mapping, which
    wins over the common words."""
    channels = tenant_channels(tenant)
    allowed = {
        "kind": [(c, str(APPEAL_KIND_LABELS[c])) for c in KINDS],
        "audience": [(c, str(AUDIENCE_LABELS[c])) for c in AUDIENCES],
        "client_type": [(c, str(CLIENT_TYPE_LABELS[c])) for c in CLIENT_TYPES],
        "outcome": [(c, str(OUTCOME_LABELS[c])) for c in OUTCOMES],
        "channel": [(c.code, c.title) for c in channels],
    }
    titles = {"kind": _titles(APPEAL_KIND_LABELS), "audience": _titles(AUDIENCE_LABELS),
              "client_type": _titles(CLIENT_TYPE_LABELS), "outcome": _titles(OUTCOME_LABELS),
              "channel": _titles({c.code: c.label for c in channels})}
    words: dict[str, dict[str, str]] = {}
    for fname in CODED:
        codes = [code for code, _title in allowed[fname]]
        known: dict[str, str] = {}
        if fname == "channel":
            # a standard title or word names the tenant's channel of that standard, when only one has it
            by_standard: dict[str, list[str]] = {}
            for c in channels:
                by_standard.setdefault(c.standard, []).append(c.code)
            standard_titles = _titles(STANDARD_CHANNELS)
            for standard, mine in by_standard.items():
                if len(mine) == 1:
                    for word in (*standard_titles.get(standard, ()), *OTHER_WORDS["channel"].get(standard, ()),
                                 standard):
                        known[normal(word)] = mine[0]
        else:
            for code, others in OTHER_WORDS.get(fname, {}).items():
                for word in others:
                    known[normal(word)] = code
        for code in codes:  # the tenant's own titles and the codes come last: they win
            for title in titles[fname].get(code, ()):
                known[normal(title)] = code
            known[normal(code)] = code
        for source, code in ((value_map or {}).get(fname) or {}).items():
            if code in codes:
                known[normal(source)] = code
        words[fname] = known
    return Vocabulary(allowed, words)


def parse_value_lines(fname: str, text: str, vocab: Vocabulary) -> tuple[dict[str, str], list[str]]:
    """A layout's value mapping typed one per line as `source value = code or word`; (mapping, bad lines)."""
    mapping, bad = {}, []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        source, sep, target = line.rpartition("=")
        code = vocab.code_of(fname, target) if sep and source.strip() else None
        if code is None:
            bad.append(line.strip())
        else:
            mapping[" ".join(source.split())] = code
    return mapping, bad
