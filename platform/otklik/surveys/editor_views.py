"""The questionnaire editor's page (officers): a draft's questions as a form, one server round trip per action.

See `editor` for the form and its actions. Without JavaScript every button posts and the page comes back edited
(the field the action concerns has the focus); static/questionnaire_editor.js only applies a changed question type
at once. The JSON view of the questionnaire page stays as the advanced way.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from .. import vocabulary
from ..access import office_required
from ..extensions import db
from ..models.survey import QUESTION_TYPES, PublishedVersionImmutable, Questionnaire
from ..tenancy import get_or_404, register_tenant_blueprint
from . import editor, engine, service
from .engine import QuestionnaireInvalid

bp = Blueprint("questionnaire_editor", __name__, url_prefix="/<tenant_slug>/office/surveys/questionnaires")
register_tenant_blueprint(bp)

TITLE_MAX = 300
MAX_FORM_PARTS = 20000
"""A long questionnaire posts a few fields per option: more than werkzeug's default of 1,000 form parts."""


def _choices(keys, labels, current_values) -> list[tuple[str, str]]:
    """Select options: the vocabulary's keys in words, plus any value already in the draft that it does not know
    (kept as it is, so saving changes nothing the officer did not touch; the validator judges it)."""
    out = [(k, str(labels.get(k, k))) for k in keys]
    known = set(keys)
    for value in current_values:
        if value and value not in known:
            out.append((value, _("%(code)s (not in the list)", code=value)))
            known.add(value)
    return out


def _context(questionnaire, questions, errors=(), notes=(), focus=None):
    from .views import TYPE_LABELS

    indicators = getattr(vocabulary, "SURVEY_INDICATORS", None)
    rows = [r for q in questions for r in q.get("rows") or []]
    placed, general = editor.errors_by_question(list(errors), questions)
    return {
        "questionnaire": questionnaire, "questions": questions, "placed": placed, "general": general,
        "notes": notes, "focus": focus, "extras": editor.extras,
        "types": [(t, TYPE_LABELS.get(t, t)) for t in QUESTION_TYPES],
        "parameters": _choices(editor.PARAMETERS, editor.PARAMETER_LABELS, [x.get("parameter") for x in [*questions, *rows]]),
        "indicators": _choices(list(indicators), indicators, [x.get("indicator") for x in [*questions, *rows]])
        if indicators is not None else None,
        "indicator_types": getattr(engine, "INDICATOR_TYPES", ("scale", "yesno", "single")),
        "option_types": editor.OPTION_TYPES, "jump_types": editor.JUMP_TYPES, "choice_types": engine.CHOICE_TYPES,
    }


@bp.route("/<int:questionnaire_id>/edit", methods=["GET", "POST"])
@office_required("officer")
def edit(questionnaire_id: int):
    questionnaire = get_or_404(Questionnaire, questionnaire_id)
    version = questionnaire.latest
    if version.is_published:
        flash(_("Version %(n)s is published and cannot change: make a new draft version to edit the questions.",
                n=version.number), "info")
        return redirect(url_for("surveys.questionnaire", questionnaire_id=questionnaire.id))
    if request.method == "GET":
        return render_template("office/surveys/editor.html", title=questionnaire.title,
                               **_context(questionnaire, editor.normalise(version.questions)))
    request.max_form_parts = MAX_FORM_PARTS
    title = request.form.get("title", "").strip()
    try:
        draft = editor.apply(editor.read_form(request.form), request.form.get("action", "apply"),
                             request.form.get("new_type", "single"))
    except editor.BadAction:
        flash(_("The editor did not understand the button pressed; the draft is shown as it was sent."), "error")
        draft = editor.Draft(editor.read_form(request.form))
    errors: list[str] = []
    if request.form.get("action") == "save":
        if not title:
            errors.append(_("The questionnaire needs a title."))
        elif len(title) > TITLE_MAX:
            errors.append(_("The title is too long: at most %(n)s characters.", n=TITLE_MAX))
        errors += engine.validate_questions(draft.questions)
        if not errors:
            try:
                service.save_draft(version, draft.questions)
                questionnaire.title = title
                db.session.commit()
                flash(_("The draft was saved."), "success")
                return redirect(url_for("surveys.questionnaire", questionnaire_id=questionnaire.id))
            except QuestionnaireInvalid as exc:
                db.session.rollback()
                errors += exc.errors
            except PublishedVersionImmutable:  # published in another tab meanwhile
                db.session.rollback()
                errors.append(_("A published version cannot change: make a new draft version."))
    focus = draft.focus or request.form.get("focus")  # the script's: the type select it applied
    status = 422 if errors else 200
    return render_template("office/surveys/editor.html", title=title,
                           **_context(questionnaire, draft.questions, errors, draft.notes, focus)), status
