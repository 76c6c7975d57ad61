"""Open data of a publication: each block as CSV, the publication as JSON, and a Frictionless Data Package
(`datapackage.json`) whose Table Schema describes every block's CSV (docs/PUBLISHING.md, "Open data").

Everything is written from the stored payload alone (it imports nothing but the CSV writer), so the public side
can serve it. The CSV is machine-readable open data: comma-separated UTF-8 without a BOM, the header row is the
columns' keys (their Russian titles are in the schema), a hidden or absent value is an empty cell.
"""

from __future__ import annotations

import json

from ..csvout import write_csv

MISSING = ""  # how a hidden (suppressed) or absent value is written in a CSV


def block_of(payload: dict, block_id: str) -> dict | None:
    return next((b for b in payload.get("blocks") or [] if b.get("id") == block_id), None)


def block_csv(payload: dict, block_id: str) -> str:
    """One block as CSV: a header of column keys, then its rows (None written as an empty cell)."""
    block = block_of(payload, block_id)
    if block is None:
        raise KeyError(block_id)
    keys = [c["key"] for c in block.get("columns") or []]
    return write_csv(([row.get(k) for k in keys] for row in block.get("rows") or []), keys, delimiter=",",
                     bom=False)


def publication_json(payload: dict) -> str:
    """The publication as JSON: the payload as stored (schema 1), pretty-printed."""
    return json.dumps(payload, ensure_ascii=False, indent=2, sort_keys=False)


def table_schema(block: dict) -> dict:
    """The Frictionless Table Schema of a block's CSV: one field per column, with its title and type."""
    return {
        "fields": [{"name": c["key"], "title": c.get("title", ""), "type": c.get("type", "string")}
                   for c in block.get("columns") or []],
        "missingValues": [MISSING],
    }


def package_name(payload: dict) -> str:
    return f"{payload.get('artifact', 'publication')}-{(payload.get('period') or {}).get('name', '')}".lower()


def datapackage(payload: dict, base: str | None = None) -> dict:
    """The Data Package descriptor: one tabular resource per block, its path `<block>.csv` (absolute under
    `base`, the version's URL, when given)."""
    prefix = base.rstrip("/") + "/" if base else ""
    period = payload.get("period") or {}
    return {
        "name": package_name(payload),
        "title": payload.get("title", ""),
        "description": " ".join(x for x in (payload.get("section", ""), payload.get("clause", "")) if x),
        "profile": "tabular-data-package",
        "temporal": {"start": period.get("start"), "end": period.get("end")},
        "resources": [{
            "name": block["id"],
            "title": block.get("title", ""),
            "description": block.get("summary", ""),
            "path": f"{prefix}{block['id']}.csv",
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "dialect": {"delimiter": ",", "header": True},
            "schema": table_schema(block),
        } for block in payload.get("blocks") or []],
    }
