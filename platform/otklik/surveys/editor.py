"""The questionnaire editor without JSON: a draft's questions as an HTML form, and the actions on it.

The editor works without JavaScript: every button posts the whole draft back with one action (add, move or delete a
question, an option or a matrix row), and the server answers the edited draft as a form again. Nothing is stored
until "Save draft", which checks the questions with the engine's own validator (`engine.validate_questions`, the
same rules as the JSON view), so an unfinished draft can be edited freely.

Questions are numbered by their position (1, 2, 3...): a jump ("go to question N") names its target by number, and
the editor keeps it pointing at the same question when questions move or are deleted (a jump to a deleted question
is removed, and a note says so). Keys the editor does not show (a plugin's, a future version's) ride along in a
hidden field of their question, option or row, so saving through the editor never drops them.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ..models.survey import QUESTION_TYPES
from ..results.document import VALUE_LABELS
from .engine import CHOICE_TYPES

QUESTION_FIELDS = ("key", "number", "type", "text", "required", "options", "rows", "parameter", "indicator",
                   "problems")
OPTION_FIELDS = ("value", "text", "goto")
ROW_FIELDS = ("key", "text", "parameter", "indicator")
JUMP_TYPES = ("single", "yesno", "demographic", "scale")
"""Types whose answers may jump (`engine.path` follows these; a multiple choice cannot jump)."""
OPTION_TYPES = (*CHOICE_TYPES, "scale")
"""Types that show an options list (a scale's options are optional: without them it is marked 5..1)."""
YESNO_OPTIONS = (("yes", "Да"), ("no", "Нет"), ("hard", "Затрудняюсь ответить"))
"""A new yes/no question's answers (the acts' wording, as in the templates): questionnaire content, not UI text."""

PARAMETERS = ("overall", "electronic_service", "clarity", "status_info", "documents", "speed", "electronic",
              "informed", "politeness", "deadlines", "completeness")
"""Parameters a question or a matrix row may measure (the analysis compares them across questionnaires by code)."""
INSTRUMENT_PARAMETERS = {
    "availability": _l("Availability of the service"),
    "booking": _l("Booking an appointment"),
    "requirements_clarity": _l("Clarity of the mandatory requirements"),
    "competence": _l("Competence of the inspector"),
    "burden": _l("Burden of the control event"),
    "result_explained": _l("Result explained"),
    "consultation": _l("Consultations"),
    "prevention_information": _l("Information on mandatory requirements"),
    "preventive_visit": _l("Preventive visits"),
    "conditions_clarity": _l("Clarity of the conditions of support"),
}
"""Parameters of the acts' instruments that have no standard indicator (templates.py; Omsk 13.1, recommendations
6.3.3): compared by code within an authority's analysis, not by the Centre."""
PARAMETERS = (*PARAMETERS, *INSTRUMENT_PARAMETERS)
PARAMETER_LABELS = {**{key: VALUE_LABELS[key] for key in PARAMETERS if key in VALUE_LABELS}, **INSTRUMENT_PARAMETERS}
"""Their titles in words (the result documents' labels), for the editor and the questionnaire page."""

ACTION = re.compile(r"^(add_question|apply|save|q_up|q_down|q_delete|add_option|add_row|"
                    r"o_up|o_down|o_delete|r_up|r_down|r_delete)(?::(\d+))?(?::(\d+))?$")


class BadAction(ValueError):
    """A button value the editor does not know (a tampered or stale form): nothing is changed."""


@dataclass
class Draft:
    """The questions being edited, and what the last action did (`notes`) and where to put the focus."""

    questions: list[dict]
    notes: list[str] = field(default_factory=list)
    focus: str | None = None


def _extra(item: dict, known: tuple) -> str:
    rest = {k: v for k, v in item.items() if k not in known}
    return json.dumps(rest, ensure_ascii=False, sort_keys=True) if rest else ""


def extras(item: dict, kind: str) -> str:
    """The hidden field of a question, option or row: its keys the editor does not show, as JSON."""
    return _extra(item, {"question": QUESTION_FIELDS, "option": OPTION_FIELDS, "row": ROW_FIELDS}[kind])


def _read_extra(raw: str | None) -> dict:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _int(raw) -> int | None:
    try:
        return int(str(raw).strip())
    except (TypeError, ValueError):
        return None


def normalise(questions: list) -> list[dict]:
    """A stored draft as the editor shows it: numbered 1..n in order, its jumps following their questions."""
    if not isinstance(questions, list):
        return []
    items = [dict(q) for q in questions if isinstance(q, dict)]
    new_number = {q.get("number"): i for i, q in enumerate(items, 1) if q.get("number") is not None}
    for i, question in enumerate(items, 1):
        question["number"] = i
        if question.get("options"):
            question["options"] = [dict(o) for o in question["options"] if isinstance(o, dict)]
            for option in question["options"]:
                if option.get("goto") not in (None, ""):
                    option["goto"] = new_number.get(option["goto"], option["goto"])
        if question.get("rows"):
            question["rows"] = [dict(r) for r in question["rows"] if isinstance(r, dict)]
    return items


MAX_ITEMS = 300
"""At most so many questions, answers of a question or rows of a matrix are read from a form (a tampered count
cannot make the server build millions of empty ones)."""


def _count(form, name: str) -> int:
    return max(0, min(_int(form.get(name)) or 0, MAX_ITEMS))


def read_form(form) -> list[dict]:
    """The questions of a posted editor form (werkzeug MultiDict), in the order and with the numbers shown."""
    questions = []
    for i in range(_count(form, "count")):
        p = f"q{i}"
        question = _read_extra(form.get(f"{p}-extra"))
        type_ = form.get(f"{p}-type", "")
        question.update({"key": form.get(f"{p}-key", "").strip(), "number": i + 1, "type": type_,
                         "text": form.get(f"{p}-text", "").strip(), "required": bool(form.get(f"{p}-required"))})
        for name in ("parameter", "indicator"):
            value = form.get(f"{p}-{name}", "").strip()
            if value:
                question[name] = value
            else:
                question.pop(name, None)
        if form.get(f"{p}-problems-shown"):
            if form.get(f"{p}-problems"):
                question["problems"] = True
            else:
                question.pop("problems", None)
        options = []
        for j in range(_count(form, f"{p}-options")):
            o = f"{p}-o{j}"
            option = _read_extra(form.get(f"{o}-extra"))
            option.update({"value": form.get(f"{o}-value", "").strip(), "text": form.get(f"{o}-text", "").strip()})
            goto = form.get(f"{o}-goto", "").strip()
            if goto:
                option["goto"] = _int(goto) if _int(goto) is not None else goto
            options.append(option)
        if options:
            question["options"] = options
        rows = []
        for j in range(_count(form, f"{p}-rows")):
            r = f"{p}-r{j}"
            row = _read_extra(form.get(f"{r}-extra"))
            row.update({"key": form.get(f"{r}-key", "").strip(), "text": form.get(f"{r}-text", "").strip()})
            for name in ("parameter", "indicator"):
                value = form.get(f"{r}-{name}", "").strip()
                if value:
                    row[name] = value
                else:
                    row.pop(name, None)
            rows.append(row)
        if rows:
            question["rows"] = rows
        _fit_type(question)
        questions.append(question)
    return questions


def _fit_type(question: dict) -> None:
    """What a question of its (possibly just changed) type shows: options for a choice, rows for a matrix."""
    type_ = question.get("type")
    if type_ == "matrix":
        question.pop("options", None)
        question.setdefault("rows", [{"key": "r1", "text": ""}])
    else:
        question.pop("rows", None)
    if type_ == "yesno" and not question.get("options"):
        question["options"] = [{"value": v, "text": t} for v, t in YESNO_OPTIONS]
    elif type_ in CHOICE_TYPES and not question.get("options"):
        question["options"] = [{"value": "1", "text": ""}]
    elif type_ == "open":
        question.pop("options", None)
    if type_ not in JUMP_TYPES:
        for option in question.get("options") or []:
            option.pop("goto", None)


def _free(used: set, prefix: str) -> str:
    n = 1
    while f"{prefix}{n}" in used:
        n += 1
    return f"{prefix}{n}"


def _next_value(options: list[dict]) -> str:
    numbers = [_int(o.get("value")) for o in options]
    numbers = [n for n in numbers if n is not None]
    value = (max(numbers) + 1) if numbers else 1
    used = {str(o.get("value")) for o in options}
    while str(value) in used:
        value += 1
    return str(value)


def _move(items: list, i: int, step: int) -> bool:
    j = i + step
    if 0 <= i < len(items) and 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
        return True
    return False


def apply(questions: list[dict], action: str, new_type: str = "single") -> Draft:
    """The draft after one editor action (`q_up:2`, `o_delete:0:3`, `add_question`...); indexes count from 0."""
    match = ACTION.match(action or "")
    if not match:
        raise BadAction(action)
    name, a, b = match.group(1), _int(match.group(2)), _int(match.group(3))
    draft = Draft(copy.deepcopy(questions))
    qs = draft.questions
    # Jumps point at questions, not at positions, while the questions move: remember each target by identity.
    for question in qs:
        for option in question.get("options") or []:
            target = option.get("goto")
            if isinstance(target, int) and 1 <= target <= len(qs):
                option["goto"] = qs[target - 1]
    question = qs[a] if a is not None and 0 <= a < len(qs) else None
    if name in ("apply", "save"):
        pass
    elif name == "add_question":
        type_ = new_type if new_type in QUESTION_TYPES else "single"
        added = {"key": _free({q.get("key") for q in qs}, "q"), "type": type_, "text": "", "required": True}
        _fit_type(added)
        qs.append(added)
        draft.focus = f"q{len(qs) - 1}-text"
    elif question is None:
        raise BadAction(action)
    elif name in ("q_up", "q_down"):
        if _move(qs, a, -1 if name == "q_up" else 1):
            a += -1 if name == "q_up" else 1
        draft.focus = f"q{a}-{name.replace('_', '-')}"
    elif name == "q_delete":
        qs.pop(a)
        for other in qs:
            for option in other.get("options") or []:
                if option.get("goto") is question:
                    option.pop("goto")
                    draft.notes.append(str(_l("The jump of question %(n)s to the deleted question was removed.",
                                              n=qs.index(other) + 1)))
        draft.focus = f"q{min(a, len(qs) - 1)}-text" if qs else "new-type"
    elif name == "add_option":
        options = question.setdefault("options", [])
        options.append({"value": _next_value(options), "text": ""})
        draft.focus = f"q{a}-o{len(options) - 1}-text"
    elif name == "add_row":
        rows = question.setdefault("rows", [])
        rows.append({"key": _free({r.get("key") for r in rows}, "r"), "text": ""})
        draft.focus = f"q{a}-r{len(rows) - 1}-text"
    else:
        items = question.get("options" if name[0] == "o" else "rows") or []
        if b is None or not 0 <= b < len(items):
            raise BadAction(action)
        prefix = f"q{a}-{name[0]}"
        if name.endswith("_delete"):
            items.pop(b)
            draft.focus = f"{prefix}{min(b, len(items) - 1)}-text" if items else f"q{a}-add-{name[0]}"
        else:
            step = -1 if name.endswith("_up") else 1
            if _move(items, b, step):
                b += step
            draft.focus = f"{prefix}{b}-{name.replace('_', '-')}"
    for number, item in enumerate(qs, 1):
        item["number"] = number
    for item in qs:
        for option in item.get("options") or []:
            if isinstance(option.get("goto"), dict):
                option["goto"] = option["goto"]["number"]
    return draft


def errors_by_question(errors: list[str], questions: list[dict]) -> tuple[dict[int, list[str]], list[str]]:
    """The validator's sentences placed next to their question (by its "Question N:" opening, in the language of
    the request), and those about the questionnaire as a whole."""
    probe = str(_l("Question %(n)s: the text is empty.", n=987654321))
    opening = probe[:probe.index("987654321")]
    placed: dict[int, list[str]] = {}
    general = []
    for error in errors:
        found = re.match(re.escape(opening) + r"(\d+):", error)
        number = int(found.group(1)) if found else None
        if number is not None and 1 <= number <= len(questions):
            placed.setdefault(number, []).append(error)
        else:
            general.append(error)
    return placed, general
