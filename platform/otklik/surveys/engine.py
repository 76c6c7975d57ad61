"""The questionnaire engine: validation of questions and branching, the path through a questionnaire, answers
parsed and checked along that path, and the rows stored for them.

Branching is "go to question N on answer X" (`options[].goto = N`). It is checked when a questionnaire is saved:
targets must exist and lie ahead of the question (a forward-only jump cannot loop). When answers arrive, the
server walks the questions from the first, follows the jumps of the answers given, and keeps only the answers to
questions on that path: the branching needs no JavaScript and cannot be bypassed by the client.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ..models.survey import QUESTION_TYPES
from ..vocabulary import SURVEY_INDICATORS, indicator_label

CHOICE_TYPES = ("single", "multiple", "yesno", "demographic")
OPEN_MAX = 2000


class QuestionnaireInvalid(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


def validate_questions(questions) -> list[str]:
    """Every problem of a question list, as readable sentences (empty when valid)."""
    errors: list[str] = []
    if not isinstance(questions, list) or not questions:
        return [str(_l("A questionnaire needs at least one question."))]
    keys, numbers = set(), []
    for i, question in enumerate(questions, 1):
        if not isinstance(question, dict):
            errors.append(str(_l("Question %(n)s is not an object.", n=i)))
            continue
        key, number, type_ = question.get("key"), question.get("number"), question.get("type")
        where = number if number is not None else i
        if not isinstance(key, str) or not key or len(key) > 40 or "." in key:
            errors.append(str(_l("Question %(n)s: a key of 1-40 characters without dots is required.", n=where)))
        elif key in keys:
            errors.append(str(_l("Question %(n)s: the key %(key)s is used twice.", n=where, key=key)))
        keys.add(key)
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            errors.append(str(_l("Question %(n)s: the number must be a positive whole number.", n=where)))
        else:
            if numbers and number <= numbers[-1]:
                errors.append(str(_l("Question %(n)s: numbers must increase through the questionnaire.", n=where)))
            numbers.append(number)
        if type_ not in QUESTION_TYPES:
            errors.append(str(_l("Question %(n)s: unknown type %(type)s.", n=where, type=type_)))
        if not str(question.get("text") or "").strip():
            errors.append(str(_l("Question %(n)s: the text is empty.", n=where)))
        options = question.get("options") or []
        if type_ in CHOICE_TYPES or (type_ == "scale" and options):
            if not options:
                errors.append(str(_l("Question %(n)s: a choice question needs options.", n=where)))
            values = [str(o.get("value", "")) for o in options if isinstance(o, dict)]
            if len(values) != len(options) or any(not v for v in values):
                errors.append(str(_l("Question %(n)s: every option needs a value and a text.", n=where)))
            elif len(set(values)) != len(values):
                errors.append(str(_l("Question %(n)s: option values repeat.", n=where)))
            if type_ == "scale" and any(_num(v) is None for v in values):
                errors.append(str(_l("Question %(n)s: scale options must be numbers.", n=where)))
        if "problems" in question and (not isinstance(question["problems"], bool) or
                                       (question["problems"] and type_ not in CHOICE_TYPES)):
            errors.append(str(_l("Question %(n)s: \"problems\" is true or false, and true only on a choice question "
                                 "(its options are the problems met).", n=where)))
        if type_ == "matrix":
            rows = question.get("rows") or []
            row_keys = [r.get("key") for r in rows if isinstance(r, dict)]
            if not rows or len(row_keys) != len(rows) or any(not k or "." in str(k) for k in row_keys):
                errors.append(str(_l("Question %(n)s: a matrix needs rows, each with a key and a text.", n=where)))
            elif len(set(row_keys)) != len(row_keys):
                errors.append(str(_l("Question %(n)s: matrix row keys repeat.", n=where)))
            for row in rows:
                if isinstance(row, dict):
                    errors += _indicator_errors(row, where, row=True)
        errors += _indicator_errors(question, where)
    by_number = {q.get("number") for q in questions if isinstance(q, dict)}
    for question in questions:
        if not isinstance(question, dict):
            continue
        for option in question.get("options") or []:
            if not isinstance(option, dict) or option.get("goto") in (None, ""):
                continue
            target, number = option["goto"], question.get("number")
            if question.get("type") == "multiple":
                errors.append(str(_l("Question %(n)s: a multiple choice cannot jump.", n=number)))
            elif not isinstance(target, int) or target not in by_number:
                errors.append(str(_l("Question %(n)s: the answer %(value)s jumps to question %(target)s, which "
                                     "does not exist.", n=number, value=option.get("value"), target=target)))
            elif isinstance(number, int) and target <= number:
                errors.append(str(_l("Question %(n)s: the answer %(value)s jumps back to question %(target)s; "
                                     "jumps may only go forward, so the questionnaire cannot loop.",
                                     n=number, value=option.get("value"), target=target)))
    return errors


INDICATOR_TYPES = ("scale", "yesno", "single")
"""Questions that may carry a standard indicator (a matrix carries it on its rows)."""


def _indicator_errors(item: dict, where, row: bool = False) -> list[str]:
    """A question's or a matrix row's `indicator` must be a key of the standard vocabulary (the Centre compares
    authorities on it), and only on a 1-5 question or row or a yes/no-like question."""
    key = item.get("indicator")
    if key in (None, ""):
        return []
    if key not in SURVEY_INDICATORS:
        return [str(_l("Question %(n)s: unknown indicator %(key)s; allowed: %(allowed)s.", n=where, key=key,
                       allowed="; ".join(f"{k} ({indicator_label(k)})" for k in SURVEY_INDICATORS)))]
    if not row and item.get("type") not in INDICATOR_TYPES:
        return [str(_l("Question %(n)s: an indicator belongs on a 1-5 question, a matrix row or a yes/no "
                       "question.", n=where))]
    return []


def check_questions(questions) -> None:
    errors = validate_questions(questions)
    if errors:
        raise QuestionnaireInvalid(errors)


def _num(value) -> float | None:
    try:
        number = float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def scale_values(question: dict) -> list[str]:
    options = question.get("options") or []
    return [str(o["value"]) for o in options] if options else ["1", "2", "3", "4", "5"]


def scale_options(question: dict) -> list[dict]:
    """A scale's options, best first as on the paper form; a bare scale gets 5..1."""
    return question.get("options") or [{"value": str(v), "text": str(v)} for v in (5, 4, 3, 2, 1)]


def path(questions: list[dict], answers: dict) -> list[dict]:
    """The questions a respondent with these answers goes through, following the jumps of the answers given."""
    index = {q["number"]: i for i, q in enumerate(questions)}
    out, i = [], 0
    while i < len(questions):
        question = questions[i]
        out.append(question)
        i += 1
        given = answers.get(question["key"])
        if question["type"] in ("single", "yesno", "demographic", "scale") and given is not None:
            for option in question.get("options") or []:
                if str(option.get("value")) == str(given) and option.get("goto"):
                    i = index[option["goto"]]
                    break
    return out


def skipped(questions: list[dict], answers: dict) -> list[str]:
    on_path = {q["key"] for q in path(questions, answers)}
    return [q["key"] for q in questions if q["key"] not in on_path]


@dataclass
class Parsed:
    answers: dict = field(default_factory=dict)  # key -> str | list[str] | dict[row, str]
    errors: dict = field(default_factory=dict)  # key -> message

    @property
    def ok(self) -> bool:
        return not self.errors


def _field_values(form, name: str) -> list[str]:
    if hasattr(form, "getlist"):
        return [v for v in form.getlist(name) if str(v).strip() != ""]
    value = form.get(name)
    if value is None:
        return []
    return [str(v) for v in value if str(v).strip() != ""] if isinstance(value, list | tuple) else [str(value)]


def read_form(questions: list[dict], form) -> dict:
    """Raw answers from a form (werkzeug MultiDict or a dict): `q3`, `q2` (repeated), `q9.clarity`."""
    raw: dict = {}
    for question in questions:
        key = question["key"]
        if question["type"] == "matrix":
            rows = {}
            for row in question.get("rows") or []:
                values = _field_values(form, f"{key}.{row['key']}")
                if values:
                    rows[row["key"]] = values[0].strip()
            if rows:
                raw[key] = rows
        elif question["type"] == "multiple":
            values = _field_values(form, key)
            if values:
                raw[key] = [v.strip() for v in values]
        else:
            values = _field_values(form, key)
            if values:
                raw[key] = values[0].strip()
    return raw


def check_answers(questions: list[dict], raw: dict) -> Parsed:
    """Validate raw answers along the path; answers to skipped questions are dropped."""
    result = Parsed()
    # The path is decided by valid answers only: an unknown value never triggers a jump.
    for question in path(questions, raw):
        key, type_, given = question["key"], question["type"], raw.get(question["key"])
        if given in (None, "", [], {}):
            if question.get("required", True):
                result.errors[key] = str(_l("Please answer this question."))
            continue
        if type_ in ("single", "yesno", "demographic"):
            allowed = {str(o["value"]) for o in question.get("options") or []}
            if given not in allowed:
                result.errors[key] = str(_l("Choose one of the offered answers."))
            else:
                result.answers[key] = given
        elif type_ == "multiple":
            allowed = {str(o["value"]) for o in question.get("options") or []}
            chosen = list(dict.fromkeys(given if isinstance(given, list) else [given]))
            if any(v not in allowed for v in chosen):
                result.errors[key] = str(_l("Choose among the offered answers."))
            else:
                result.answers[key] = chosen
        elif type_ == "scale":
            if str(given) not in scale_values(question):
                result.errors[key] = str(_l("Choose a mark from 1 to 5."))
            else:
                result.answers[key] = str(given)
        elif type_ == "matrix":
            rows = given if isinstance(given, dict) else {}
            row_keys = [r["key"] for r in question.get("rows") or []]
            bad = [r for r, v in rows.items() if r not in row_keys or v not in ("1", "2", "3", "4", "5")]
            missing = [r for r in row_keys if r not in rows]
            if bad:
                result.errors[key] = str(_l("Choose a mark from 1 to 5 in each row."))
            elif missing and question.get("required", True):
                result.errors[key] = str(_l("Please give a mark in every row."))
            else:
                result.answers[key] = {r: rows[r] for r in row_keys if r in rows}
        elif type_ == "open":
            text = str(given).strip()
            if len(text) > OPEN_MAX:
                result.errors[key] = str(_l("The answer is too long (at most %(n)s characters).", n=OPEN_MAX))
            else:
                result.answers[key] = text
    return result


def answer_rows(questions: list[dict], answers: dict) -> list[dict]:
    """The survey_answer rows (question_key, row_key, value_num, option, text) of checked answers."""
    rows = []
    for question in questions:
        key = question["key"]
        if key not in answers:
            continue
        given, type_ = answers[key], question["type"]
        if type_ == "matrix":
            for row_key, value in given.items():
                rows.append({"question_key": key, "row_key": row_key, "value_num": float(value), "option": None,
                             "text": None})
        elif type_ == "multiple":
            for value in given:
                rows.append({"question_key": key, "row_key": "", "value_num": None, "option": value, "text": None})
        elif type_ == "scale":
            rows.append({"question_key": key, "row_key": "", "value_num": _num(given), "option": None,
                         "text": None})
        elif type_ == "open":
            rows.append({"question_key": key, "row_key": "", "value_num": None, "option": None, "text": given})
        else:
            rows.append({"question_key": key, "row_key": "", "value_num": None, "option": given, "text": None})
    return rows
