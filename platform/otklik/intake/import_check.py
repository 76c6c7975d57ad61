"""Checking an import (the second phase): the header against the fields, then each chunk's values by vectorised
pandas checks. Every problem is collected (row, column, value, reason) up to MAX_ERRORS; the clean typed frame goes
on to the writing phase only while no error was found."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import uploads
from ..models.appeal import AUDIENCES, CLIENT_TYPES, DATE_ONLY, KINDS, OUTCOMES
from .classifier import check_codes
from .import_base import (
    DATE_FORMATS,
    DEFAULTS,
    FIELDS,
    LIMITS,
    MAX_CELL,
    MAX_ERRORS,
    REQUIRED,
    Context,
    ImportRefused,
    error,
    reason_text,
)


def header_map(header: list[str], mapping: dict | None) -> dict[str, str]:
    """canonical field -> column of the file; refuses a missing required column or a mapped column not there."""
    clean = [h.strip() for h in header]
    seen = set()
    for h in clean:
        if h and h.lower() in seen:
            raise ImportRefused([error(1, h, h, "duplicate_column", name=h)])
        seen.add(h.lower())
    by_lower = {h.lower(): h for h in clean}
    if mapping:
        result, errors = {}, []
        for fname, column in mapping.items():
            if fname not in FIELDS or not column:
                continue
            if column.strip().lower() not in by_lower:
                if fname in REQUIRED:  # an optional field whose column is absent takes its default
                    errors.append(error(1, column, column, "unmapped_column", name=column))
            else:
                result[fname] = by_lower[column.strip().lower()]
    else:
        result = {f: by_lower[f] for f in FIELDS if f in by_lower}
        errors = []
    missing = [f for f in REQUIRED if f not in result]
    if missing and len(clean) == 1 and any(d in clean[0] for d in ",;\t|"):
        raise ImportRefused([error(1, "", clean[0], "wrong_delimiter")])
    errors += [error(1, f, "", "missing_column", name=f) for f in missing]
    if errors:
        raise ImportRefused(errors)
    return result



_EDGE_SPACE = re.compile(r"(?:^|\x00)\s|\s(?:\x00|$)")


def _strip(values: pd.Series) -> tuple[pd.Series, int]:
    """Strip surrounding spaces and measure the longest value, looking at each distinct value once (real columns
    repeat a few values); a column of unique ids is scanned by one regex over the joined values, in C."""
    values = values.fillna("")
    uniques = pd.unique(values.to_numpy())
    if any(not isinstance(u, str) for u in uniques):
        values = values.astype(str)
        uniques = pd.unique(values.to_numpy())
    longest = max(map(len, uniques), default=0)
    if not _EDGE_SPACE.search("\x00".join(uniques)):
        return values, longest
    changed = {u: u.strip() for u in uniques if u != u.strip()}
    return values.replace(changed), longest


def _clean_text(values: pd.Series) -> tuple[pd.Series, pd.Series | None]:
    """CRLF and CR inside a cell read as LF; the mask of values holding a refused character (uploads.CONTROL), or
    None. Each distinct value is looked at once, by one regex over the joined values (C speed)."""
    uniques = pd.unique(values.to_numpy())
    joined = "\n".join(uniques)
    if "\r" in joined:
        values = values.replace({u: uploads.normalise_breaks(u) for u in uniques if "\r" in u})
    if uploads.CONTROL.search(joined) is None:
        return values, None
    return values, values.str.contains(uploads.CONTROL, regex=True)


def parse_dates(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Naive local timestamps from the accepted formats (NaT where none fits) and a mask of date-only values."""
    s = values
    out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    todo = s != ""
    for fmt in DATE_FORMATS:
        if not todo.any():
            break
        parsed = pd.to_datetime(s[todo], format=fmt, errors="coerce")
        out[todo] = parsed
        todo = todo & out.isna()
    return out, s.str.len() <= 10


def _to_utc(local: pd.Series, tz) -> pd.Series:
    return local.dt.tz_localize(tz, ambiguous=np.zeros(len(local), dtype=bool),
                                nonexistent="shift_forward").dt.tz_convert("UTC")


class _Errors:
    def __init__(self):
        self.items: list[dict] = []
        self.count = 0

    def add_mask(self, frame: pd.DataFrame, mask: pd.Series, fname: str, column: str, code: str, **params):
        n = int(mask.sum())
        if not n:
            return
        self.count += n
        room = MAX_ERRORS - len(self.items)
        if room <= 0:
            return
        sub = frame.loc[mask].head(room)
        reason = reason_text(code, **params) if params else reason_text(code)
        for row, value in zip(sub["__row"].tolist(), sub[fname].tolist(), strict=True):
            self.items.append({"row": int(row), "column": column, "value": uploads.visible(str(value)[:200]),
                               "code": code, "reason": reason})

    def add(self, item: dict):
        self.count += 1
        if len(self.items) < MAX_ERRORS:
            self.items.append(item)


def validate(frame: pd.DataFrame, columns: dict[str, str], ctx: Context, errors: _Errors) -> pd.DataFrame:
    """Vectorised checks of one chunk (canonical field names, text values, `__row`); the clean typed frame."""
    df = pd.DataFrame({"__row": frame["__row"]})
    longest = {}
    refused = {}
    for fname in FIELDS:
        if fname in columns:
            values, longest[fname] = _strip(frame[columns[fname]])
            df[fname], refused[fname] = _clean_text(values)
        else:
            df[fname] = DEFAULTS.get(fname, "")
    col = {f: columns.get(f, f) for f in FIELDS}
    for fname, mask in refused.items():
        if mask is not None:
            errors.add_mask(df, mask, fname, col[fname], "control")
    for fname in FIELDS:
        limit = LIMITS.get(fname, MAX_CELL)
        if longest.get(fname, 0) > limit:
            errors.add_mask(df, df[fname].str.len() > limit, fname, col[fname], "too_long", limit=limit)
    for fname in REQUIRED:
        errors.add_mask(df, df[fname] == "", fname, col[fname], "required")
    for fname, allowed in (("kind", KINDS), ("audience", AUDIENCES), ("client_type", CLIENT_TYPES),
                           ("outcome", OUTCOMES), ("channel", ctx.channels)):
        if fname in ("audience", "client_type", "outcome"):
            df.loc[df[fname] == "", fname] = DEFAULTS[fname]
        other = (df[fname] != "") & ~df[fname].isin(allowed)
        if other.any() and ctx.vocab is not None:  # words for codes, looked up once per distinct value
            words = {v: ctx.vocab.code_of(fname, v) for v in pd.unique(df.loc[other, fname])}
            found = df.loc[other, fname].map(words)
            df.loc[found.dropna().index, fname] = found.dropna()
            other = other & found.reindex(df.index).isna()
        params = {"allowed": ctx.vocab.allowed_text(fname)} if ctx.vocab is not None else {
            "allowed": ", ".join(sorted(allowed))}
        errors.add_mask(df, other, fname, col[fname], fname, **params)
    errors.add_mask(df, (df["tenant"] != "") & (df["tenant"] != ctx.tenant_slug), "tenant", col["tenant"],
                    "other_tenant", allowed=ctx.tenant_slug)
    topic_reasons = check_codes(df["topic_code"], ctx.codes)
    for code in ("topic_malformed", "topic_unknown_section", "topic_unknown"):
        errors.add_mask(df, topic_reasons == code, "topic_code", col["topic_code"], code)

    stamps = {}
    floor, ceiling = pd.Timestamp("1990-01-01", tz="UTC"), ctx.now + pd.Timedelta(days=1)
    for fname in ("received_at", "registered_at", "answered_at"):
        local, date_only = parse_dates(df[fname])
        bad = (df[fname] != "") & local.isna()
        errors.add_mask(df, bad, fname, col[fname], "date")
        utc = _to_utc(local, ctx.tz)
        errors.add_mask(df, utc.notna() & ((utc < floor) | (utc > ceiling)), fname, col[fname], "date_range")
        stamps[fname] = (local, date_only, utc)
    reg_local, reg_day, reg = stamps["registered_at"]
    for later, earlier, code in (("answered_at", "registered_at", "answer_before_registration"),
                                 ("registered_at", "received_at", "registration_before_receipt")):
        l_local, l_day, _ = stamps[later]
        e_local, e_day, _ = stamps[earlier]
        # a date without time is the whole day: only an earlier calendar day is a contradiction then
        both_timed = ~l_day & ~e_day
        before = (l_local.dt.normalize() < e_local.dt.normalize()) | (both_timed & (l_local < e_local))
        errors.add_mask(df, before.fillna(False).astype(bool), later, col[later], code)

    out = df[["__row", "external_id", "kind", "audience", "channel", "topic_code", "reason", "segment",
              "client_type", "object", "outcome"]].copy()
    out["received_at"] = stamps["received_at"][2]
    out["registered_at"] = reg
    out["answered_at"] = stamps["answered_at"][2]
    out["due_date"] = (reg_local.dt.normalize() + pd.Timedelta(days=30))
    # a date without a time is stored at the day's local midnight and marked, so pages show the date alone
    date_only = np.zeros(len(df), dtype="int64")
    for fname in ("received_at", "registered_at", "answered_at"):
        local, day, _ = stamps[fname]
        date_only += np.where((day & local.notna()).to_numpy(), DATE_ONLY[fname], 0)
    out["date_only"] = date_only
    return out

