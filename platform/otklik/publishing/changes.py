"""What changed, in public (issue 22, item 2): a publication against the previous period's release, and a correction
against the version it replaced, computed from the two frozen payloads alone.

It imports nothing of otklik, so the public side can use it (the import contract "public-side" lists it as a
source): the public pages compute nothing from live data, only this comparison of two stored snapshots. Texts are
in Russian, as the payloads' own summaries are (a publication is a document of the authority). A figure hidden in
either period (null) is never compared: a difference against a hidden cell would give that cell away.
"""

from __future__ import annotations

from babel.numbers import format_decimal

NUMERIC = ("integer", "number")
SENTENCE_ROWS = 3  # the largest changes a block's sentence names; the table shows them all


def _number(value) -> str:
    return format_decimal(value, format="#,##0.##", locale="ru")


def _signed(value) -> str:
    if value == 0:
        return "без изменений"
    return ("+" if value > 0 else "−") + _number(abs(value))


def _label_key(block: dict) -> str | None:
    columns = block.get("columns") or []
    return columns[0].get("key") if columns else None


def _rows_by_label(block: dict) -> dict:
    key = _label_key(block)
    return {row.get(key): row for row in block.get("rows") or []} if key else {}


def _round(value, column: dict):
    """A difference as the payload writes its figures: whole for counts, one decimal for shares and means."""
    return int(round(value)) if column.get("type") == "integer" else round(value, 1)


def from_previous_period(current: dict, previous: dict) -> list[dict]:
    """Per block both payloads have: the rows (matched by their label) whose figures are shown in both periods, each
    {label, column, before, after, change}, and a sentence in words. Blocks with nothing comparable are left out."""
    before_blocks = {b.get("id"): b for b in previous.get("blocks") or []}
    period_title = (previous.get("period") or {}).get("title", "")
    out = []
    for block in current.get("blocks") or []:
        old_block = before_blocks.get(block.get("id"))
        if old_block is None:
            continue
        old_rows = _rows_by_label(old_block)
        label_key = _label_key(block)
        old_columns = {c.get("key") for c in old_block.get("columns") or []}
        columns = [c for c in (block.get("columns") or [])[1:] if c.get("type") in NUMERIC
                   and c.get("key") in old_columns]
        rows, hidden = [], 0
        for row in block.get("rows") or []:
            old = old_rows.get(row.get(label_key))
            if old is None:
                continue
            for column in columns:
                after, before = row.get(column["key"]), old.get(column["key"])
                if after is None or before is None:
                    hidden += 1  # hidden (or absent) in either period: not compared
                    continue
                rows.append({"label": row.get(label_key), "column": column.get("title", column["key"]),
                             "before": before, "after": after, "change": _round(after - before, column)})
        if rows:
            out.append({"id": block.get("id"), "title": block.get("title", ""), "rows": rows,
                        "summary": _sentence(rows, period_title), "hidden": hidden})
    return out


def _sentence(rows: list[dict], period_title: str) -> str:
    changed = sorted((r for r in rows if r["change"] != 0), key=lambda r: -abs(r["change"]))[:SENTENCE_ROWS]
    since = f"По сравнению с периодом «{period_title}»" if period_title else "По сравнению с предыдущим периодом"
    if not changed:
        return f"{since} показатели не изменились."
    parts = [f"{r['label']} ({r['column'].lower()}): {_number(r['after'])} — было {_number(r['before'])}, "
             f"{_signed(r['change'])}" for r in changed]
    return f"{since}: " + "; ".join(parts) + "."


def correction_cells(current: dict, replaced: dict) -> list[dict]:
    """The cells a correction changed against the version it replaced: {block, label, column, before, after}
    (None is a hidden or absent value, shown as «—»), in the correction's order; rows it added or dropped too."""
    old_blocks = {b.get("id"): b for b in replaced.get("blocks") or []}
    out = []
    for block in current.get("blocks") or []:
        old_block = old_blocks.get(block.get("id")) or {"rows": [], "columns": block.get("columns")}
        old_rows, label_key = _rows_by_label(old_block), _label_key(block)
        new_labels = set()
        for row in block.get("rows") or []:
            label = row.get(label_key)
            new_labels.add(label)
            old = old_rows.get(label, {})
            for column in (block.get("columns") or [])[1:]:
                before, after = old.get(column["key"]), row.get(column["key"])
                if before != after:
                    out.append({"block": block.get("title", ""), "label": label,
                                "column": column.get("title", column["key"]), "before": before, "after": after})
        for label, old in old_rows.items():
            if label not in new_labels:
                for column in (old_block.get("columns") or [])[1:]:
                    if old.get(column["key"]) is not None:
                        out.append({"block": block.get("title", ""), "label": label,
                                    "column": column.get("title", column["key"]), "before": old.get(column["key"]),
                                    "after": None})
    return out
