"""What every phase of the appeals import shares: the fields, the limits, the reasons of a refusal, the refusal
itself, the result and the tenant's context (the phases: `import_read`, `import_check`, `import_write`; the entry
`importer` runs them in order)."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

import pandas as pd
from flask_babel import gettext

from .. import uploads
from ..channels import channel_codes
from .classifier import loaded_codes
from .values import Vocabulary, vocabulary

CANONICAL = ("external_id", "kind", "audience", "channel", "registered_at", "answered_at", "topic_code", "reason",
             "segment", "client_type", "object", "outcome")
EXTRA = ("received_at", "tenant")  # optional: date of receipt (59-FZ 3-day rule), the authority a row names
FIELDS = CANONICAL + EXTRA
REQUIRED = ("external_id", "kind", "channel", "registered_at")
DEFAULTS = {"audience": "external", "client_type": "individual", "outcome": "pending"}
LIMITS = {"external_id": 100, "reason": 300, "segment": 100, "object": 300, "topic_code": 30, "channel": 40,
          "tenant": 63}
MAX_CELL = 1000  # any cell longer than this is refused (over-long lines, pasted letters: no personal data)
CHUNK_ROWS = 50_000
PREVIEW_ROWS = 10  # the preview reads these and no more, whatever the size of the file
HEAD_BYTES = 1 << 20  # read from the disk to choose the encoding and delimiter of a file the command line names
MAX_ERRORS = 1000  # errors kept for the report; the count goes on
DATE_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d", "%d.%m.%Y", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M:%S")

def _l(message: str) -> str:
    """Marks a msgid for the catalog; translated (and formatted) when an error is made, in the current locale."""
    return message


REASONS = {
    "file_empty": _l("The file is empty (zero bytes)."),
    "no_rows": _l("The file has a header but no appeals."),
    "no_header": _l("The file has no header row."),
    "encoding": _l("The file is not all in %(encoding)s, the encoding of its beginning (%(detail)s): save it whole "
                   "in UTF-8, Windows-1251 or KOI8-R."),
    "not_xlsx": _l("The file is not a readable XLSX workbook."),
    "bad_line": _l("The line cannot be read: %(detail)s."),
    "wrong_delimiter": _l("Only one column was found: the delimiter must be ',', ';' or tab."),
    "missing_column": _l("Required column '%(name)s' is missing."),
    "unmapped_column": _l("Column '%(name)s' named in the mapping is not in the file."),
    "duplicate_column": _l("Column '%(name)s' appears twice in the header."),
    "required": _l("A value is required."),
    "too_long": _l("The value is longer than %(limit)s characters."),
    "kind": _l("Unknown kind of appeal. Allowed: %(allowed)s."),
    "audience": _l("Unknown audience. Allowed: %(allowed)s."),
    "client_type": _l("Unknown client type. Allowed: %(allowed)s."),
    "outcome": _l("Unknown outcome. Allowed: %(allowed)s."),
    "channel": _l("The channel is not one of this authority's channels. Allowed: %(allowed)s."),
    "date": _l("Not a date: use DD.MM.YYYY, YYYY-MM-DD or YYYY-MM-DD HH:MM."),
    "date_range": _l("The date is before 1990 or in the future."),
    "answer_before_registration": _l("The answer is dated before the registration."),
    "registration_before_receipt": _l("The registration is dated before the receipt."),
    "topic_malformed": _l("The topic code must be XXXX.XXXX.XXXX.XXXX with an optional fifth block."),
    "topic_unknown_section": _l("The topic code's section is not one of 0001-0005."),
    "topic_unknown": _l("The topic code is not in the loaded classifier."),
    "other_tenant": _l("The row names another authority: this file may name only %(allowed)s."),
    "duplicate_id": _l("The external id appears more than once in the file (rows %(detail)s)."),
    "formula": _l("The cell holds a formula: export values only."),
    "control": _l("The value holds a character that cannot be in text (a control character such as NUL): remove "
                  "it."),
    "too_many_items": _l("At most %(limit)s appeals in one request."),
    "not_an_object": _l("Each appeal must be a JSON object."),
}


def reason_text(code: str, **params) -> str:
    """The reason in the request's language; in jobs and commands (no request), the default one (Russian)."""
    return _translate(REASONS[code], **params)


@contextmanager
def default_locale():
    """Outside a request (jobs, commands) the core's locale selector has no request to read: use the default."""
    from flask import current_app, has_app_context, has_request_context

    if has_request_context() or not has_app_context():
        yield
        return
    from flask_babel import force_locale

    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")):
        yield


def _translate(message: str, **params) -> str:
    from flask import current_app, has_app_context, has_request_context

    if has_request_context():
        return gettext(message, **params)
    if not has_app_context():
        return message % params if params else message
    from flask_babel import force_locale

    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "ru")):
        return gettext(message, **params)


def error(row: int | None, column: str, value, code: str, **params) -> dict:
    return {"row": row, "column": column, "value": "" if value is None else uploads.visible(str(value)[:200]),
            "code": code, "reason": reason_text(code, **params)}


def unreadable(exc: uploads.UnreadableFile) -> dict:
    """The shared reader's refusal (the file's encoding, a character of a row, a workbook refused before parsing),
    as an error of the report."""
    code = "encoding" if exc.code in ("binary", "unknown") else exc.code
    return {"row": exc.row, "column": "", "value": "", "code": code, "reason": exc.message}


class ImportRefused(Exception):
    """Nothing was stored. `errors` are the first MAX_ERRORS problems, `error_count` all of them."""

    def __init__(self, errors: list[dict], error_count: int | None = None):
        self.errors = errors
        self.error_count = error_count if error_count is not None else len(errors)
        first = errors[0] if errors else {}
        super().__init__(f"{self.error_count} error(s); first: row {first.get('row')} {first.get('column')}: "
                         f"{first.get('reason')}")


@dataclass
class ImportResult:
    total: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    seconds: dict = field(default_factory=dict)  # by phase: read, validate, stage, check, update, insert


@dataclass
class Context:
    """What validation needs of the tenant, read once before the rows."""

    tenant_id: int
    tenant_slug: str
    tz: object
    channels: set[str]
    codes: set[str]
    vocab: Vocabulary | None = None  # the words accepted for codes (values.py); None: codes only
    now: pd.Timestamp = field(default_factory=lambda: pd.Timestamp.now(tz="UTC"))

    @classmethod
    def of(cls, tenant, value_map: dict | None = None) -> Context:
        """`value_map`: the column layout's own values (field -> {source value: code})."""
        with default_locale():
            return cls(tenant.id, tenant.slug, tenant.tz, set(channel_codes(tenant)), loaded_codes(tenant.id),
                       vocabulary(tenant, value_map))

