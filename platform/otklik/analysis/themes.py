"""Open answers grouped into themes, in Russian (Nenets 8, Astrakhan 5.5: content of proposals and remarks).

Each answer is tokenised and lemmatised with pymorphy3. An answer belongs to every theme of the dictionary
whose lemmas it uses (the built-in one below, or the tenant's `standard_metrics.themes` setting, which adds to
and overrides it); an answer no theme matches is grouped under its most frequent content lemma (a noun, verb or
adjective used across the period's answers), so recurring subjects surface even when nobody foresaw them.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from .frames import share

DEFAULT_THEMES: dict[str, list[str]] = {
    "Сроки и очереди": ["очередь", "ожидание", "ждать", "долго", "срок", "задержка", "затягивать", "медленно",
                        "быстро", "время"],
    "Документы и справки": ["документ", "справка", "бумага", "копия", "заявление", "выписка", "подтверждение"],
    "Электронные услуги и сайт": ["сайт", "госуслуги", "госуслуга", "портал", "электронный", "онлайн", "интернет", "приложение",
                                  "личный", "кабинет"],
    "Телефон и дозвон": ["телефон", "дозвониться", "звонок", "звонить", "трубка", "линия"],
    "Отношение сотрудников": ["вежливый", "грубый", "грубость", "хамство", "хамить", "невежливый", "отношение",
                              "внимательный", "сотрудник", "специалист", "персонал"],
    "Информирование и разъяснения": ["информация", "информировать", "разъяснение", "разъяснить", "объяснить",
                                     "консультация", "понятный", "непонятный", "статус"],
    "Условия приёма": ["кабинет", "помещение", "парковка", "пандус", "доступность", "туалет", "кондиционер",
                       "холодно", "душно", "приём"],
    "Выплаты и меры поддержки": ["выплата", "пособие", "компенсация", "льгота", "субсидия", "пенсия", "размер"],
}
STOP = set(
    "и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее мне было вот от "
    "меня еще нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до вас нибудь опять уж "
    "вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их чем была сам чтоб без "
    "будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой совсем ним здесь этом один "
    "почти мой тем чтобы нее сейчас были куда зачем всех никогда можно при наконец два об другой хоть после "
    "над больше тот через эти нас про всего них какая много разве три эту моя впрочем хорошо свою этой перед "
    "иногда лучше чуть том нельзя такой им более всегда конечно всю между весь очень это спасибо всё нужно".split()
)
CONTENT_POS = {"NOUN", "VERB", "INFN", "ADJF", "ADJS", "PRTF", "PRTS", "ADVB"}
EXAMPLES = 3
WORD = re.compile(r"[а-яёa-z]+", re.IGNORECASE)


@cache
def _morph():
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@cache
def lemma(word: str) -> tuple[str, str]:
    p = _morph().parse(word)[0]
    return p.normal_form.replace("ё", "е"), str(p.tag.POS or "")


def lemmas(text: str) -> list[str]:
    out = []
    for w in WORD.findall((text or "").lower()):
        if len(w) < 3 or w in STOP:
            continue
        lem, pos = lemma(w)
        if lem in STOP or (pos and pos not in CONTENT_POS):
            continue
        out.append(lem)
    return out


def group_themes(texts: list[str], settings: dict | None = None, max_themes: int | None = None) -> list[dict]:
    """[{theme, count, share, examples, lemmas}] sorted by count, for the answers `texts`."""
    settings = settings or {}
    dictionary = {**DEFAULT_THEMES, **(settings.get("themes") or {})}
    dictionary = {t: {w.lower().replace("ё", "е") for w in ws} for t, ws in dictionary.items() if ws}
    max_themes = max_themes or int(settings.get("max_themes") or 15)
    texts = [t.strip() for t in texts if t and t.strip()]
    per_answer = [set(lemmas(t)) for t in texts]
    frequency = Counter(lem for lems in per_answer for lem in lems)
    members: dict[str, list[int]] = {}
    matched_lemmas: dict[str, Counter] = {}
    for i, lems in enumerate(per_answer):
        themes = [t for t, words in dictionary.items() if lems & words]
        if not themes and lems:
            top = max(sorted(lems), key=lambda lem: frequency[lem])
            themes = [top] if frequency[top] > 1 else ["Прочее"]
        elif not themes:
            themes = ["Прочее"]
        for t in themes:
            members.setdefault(t, []).append(i)
            matched_lemmas.setdefault(t, Counter()).update(lems & dictionary.get(t, lems))
    ranked = sorted(members.items(), key=lambda kv: (kv[0] == "Прочее", -len(kv[1]), kv[0]))
    out, rest = [], []
    for theme, idx in ranked:
        if len(out) < max_themes and theme != "Прочее":
            out.append((theme, idx))
        else:
            rest.extend(idx)
    if rest:
        out.append(("Прочее", sorted(set(rest))))
    return [
        {
            "theme": theme,
            "count": len(idx),
            "share": share(len(idx), len(texts)),
            "examples": [texts[i] for i in idx[:EXAMPLES]],
            "lemmas": [lem for lem, _ in matched_lemmas.get(theme, Counter()).most_common(5)],
        }
        for theme, idx in out
    ]
