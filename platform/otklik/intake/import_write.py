"""Writing an import (the third phase), in the caller's transaction: the checked rows staged in a temporary table
and merged into `appeal` by external id, or, for a tenant's first import on PostgreSQL, COPYed straight into
`appeal` by a thread while the next chunk is read (see `importer`)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sqlalchemy import text

from .import_base import MAX_ERRORS, ImportResult, error
from .import_check import _Errors

STAGE_COLUMNS = ("line", "external_id", "kind", "audience", "channel", "received_at", "registered_at",
                 "answered_at", "due_date", "topic_code", "reason", "segment", "client_type", "object", "outcome",
                 "date_only")
TEXT_COLUMNS = ("external_id", "kind", "audience", "channel", "topic_code", "reason", "segment", "client_type",
                "object", "outcome")
UPDATED = ("kind", "audience", "channel", "received_at", "registered_at", "answered_at", "topic_code", "reason",
           "segment", "client_type", "object", "outcome", "date_only")


class _Stage:
    """A temporary table in the import's own transaction: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, conn):
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        # PostgreSQL: instants as epoch microseconds and the due date as epoch days (integers serialise fast)
        stamp = "bigint" if self.pg else "text"
        cols = ", ".join(
            f"{c} {'integer' if c in ('line', 'date_only') else stamp if c.endswith('_at') or c == 'due_date' else 'text'}"
            for c in STAGE_COLUMNS)
        conn.execute(text("DROP TABLE IF EXISTS intake_stage"))
        conn.execute(text(f"CREATE TEMPORARY TABLE intake_stage ({cols}, appeal_id integer)"
                          + (" ON COMMIT DROP" if self.pg else "")))

    def write(self, df: pd.DataFrame) -> None:
        frame = df.rename(columns={"__row": "line"})[list(STAGE_COLUMNS)]
        if self.pg:
            # columns as Python lists into the csv module's C writer: a quarter faster than DataFrame.to_csv
            columns = []
            for c in STAGE_COLUMNS:
                if c in ("received_at", "registered_at", "answered_at"):
                    naive = frame[c].dt.tz_convert(None).to_numpy()
                    values = naive.astype("datetime64[us]").astype("int64").tolist()
                    missing = np.isnat(naive)
                    if missing.any():
                        values = [None if m else v for v, m in zip(values, missing.tolist(), strict=True)]
                    columns.append(values)
                elif c == "due_date":
                    columns.append(frame[c].to_numpy().astype("datetime64[D]").astype("int64").tolist())
                elif c == "date_only":
                    columns.append(frame[c].astype("int64").tolist())
                else:
                    columns.append(frame[c].tolist())
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(zip(*columns, strict=True))
            buf = out.getvalue()
            raw = self.conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(
                f"COPY intake_stage ({', '.join(STAGE_COLUMNS)}) FROM STDIN "
                f"(FORMAT csv, FORCE_NOT_NULL ({', '.join(TEXT_COLUMNS)}))"
            ) as copy:
                copy.write(buf)
        else:
            frame = frame.copy()
            for c in ("received_at", "registered_at", "answered_at"):
                s = frame[c].dt.strftime("%Y-%m-%d %H:%M:%S.%f")
                frame[c] = s.where(frame[c].notna(), None)
            frame["due_date"] = frame["due_date"].dt.strftime("%Y-%m-%d")
            frame["line"] = frame["line"].astype(int)
            frame["date_only"] = frame["date_only"].astype(int)
            rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
            placeholders = ", ".join("?" for _ in STAGE_COLUMNS)
            self.conn.connection.driver_connection.executemany(
                f"INSERT INTO intake_stage ({', '.join(STAGE_COLUMNS)}) VALUES ({placeholders})", list(rows))

    def duplicates(self, errors: _Errors, column: str) -> None:
        rows = self.conn.execute(text(
            "SELECT external_id, min(line), max(line), count(*) FROM intake_stage GROUP BY external_id "
            f"HAVING count(*) > 1 ORDER BY min(line) LIMIT {MAX_ERRORS}"
        )).all()
        for external_id, first, last, n in rows:
            errors.add(error(int(last), column, external_id, "duplicate_id", detail=f"{first}, {last}"
                             + (f" +{n - 2}" if n > 2 else "")))

    def merge(self, tenant_id: int, total: int, lap=lambda phase: None) -> ImportResult:
        """Match the staged rows to stored appeals, update the changed ones by id, insert the new ones.

        Three set-based statements rather than one INSERT ... ON CONFLICT DO UPDATE: speculative insertion costs
        about a third more per row on PostgreSQL, a re-import of an unchanged file then writes no row at all, and
        no statement both reads and writes `appeal` by a tenant-wide scan (whose probes would also visit the rows
        the same statement inserts: quadratic with a stale plan). The unique key (tenant_id, external_id) still
        guards: a concurrent import of the same ids fails whole, never doubles.
        """
        now = datetime.now(UTC)
        cols = [c for c in STAGE_COLUMNS if c != "line"]
        if self.pg:
            source = ", ".join(
                f"to_timestamp({c} / 1000000.0) AS {c}" if c.endswith("_at")
                else "DATE '1970-01-01' + due_date::integer AS due_date" if c == "due_date" else c for c in cols)
        else:
            source = ", ".join(cols)
        existing = self.conn.execute(text(
            "UPDATE intake_stage SET appeal_id = a.id FROM appeal a "
            "WHERE a.tenant_id = :t AND a.external_id = intake_stage.external_id"
        ), {"t": tenant_id}).rowcount
        if self.pg:
            self.conn.execute(text("ANALYZE intake_stage"))  # temporary tables get no autovacuum statistics
        lap("check")
        updated = 0
        if existing:
            changed = " OR ".join(f"appeal.{c} IS DISTINCT FROM s.{c}" for c in UPDATED)
            sets = ", ".join(f"{c} = s.{c}" for c in UPDATED)
            updated = self.conn.execute(text(
                f"UPDATE appeal SET {sets}, "
                "due_date = CASE WHEN appeal.extended_days = 0 THEN s.due_date ELSE appeal.due_date END "
                f"FROM (SELECT appeal_id, {source} FROM intake_stage WHERE appeal_id IS NOT NULL) AS s "
                f"WHERE appeal.id = s.appeal_id AND appeal.tenant_id = :t AND ({changed})"
            ), {"t": tenant_id}).rowcount
        lap("update")
        inserted = 0
        if existing < total:
            inserted = self.conn.execute(text(
                f"INSERT INTO appeal (tenant_id, {', '.join(cols)}, extended_days, extension_reason, redirected_to, "
                f"summary, created_at) SELECT :t, {source}, 0, '', '', '', :now FROM intake_stage "
                "WHERE appeal_id IS NULL"
            ), {"t": tenant_id, "now": now if self.pg else now.strftime("%Y-%m-%d %H:%M:%S.%f")}).rowcount
        lap("insert")
        return ImportResult(total=total, inserted=inserted, updated=updated, unchanged=existing - updated)


APPEAL_COLUMNS = ("tenant_id", "external_id", "kind", "audience", "channel", "received_at", "registered_at",
                  "answered_at", "due_date", "topic_code", "reason", "segment", "client_type", "object", "outcome",
                  "date_only", "extended_days", "extension_reason", "redirected_to", "summary", "created_at")
APPEAL_TEXT = TEXT_COLUMNS + ("extension_reason", "redirected_to", "summary")


class _Duplicates(Exception):
    """The direct COPY met an id twice (or one stored meanwhile): redo the import the staged way, which names them."""


class _DirectCopy:
    """One COPY into `appeal` for the whole file, written by a thread so PostgreSQL inserts chunk k while Python
    reads and checks chunk k+1 (psycopg releases the GIL while it sends). Used only when the tenant has no appeal,
    so there is nothing to match or update."""

    def __init__(self, conn, tenant_id: int):
        import queue
        import threading

        self.tenant_id = str(tenant_id)
        self.now = datetime.now(UTC).isoformat()
        # a few slices waiting beside the one being sent: enough to overlap, and memory stays flat (a slice's CSV
        # is about 2.5 MB as UTF-8 bytes, two to four times that as a Python str, hence the bytes)
        self.queue: queue.Queue = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.rows = 0
        raw = conn.connection.driver_connection
        self.cursor = raw.cursor()
        self.copy_cm = self.cursor.copy(
            f"COPY appeal ({', '.join(APPEAL_COLUMNS)}) FROM STDIN (FORMAT csv, FORCE_NOT_NULL ({', '.join(APPEAL_TEXT)}))")
        self.copy = self.copy_cm.__enter__()
        self.thread = threading.Thread(target=self._send, name="intake-copy", daemon=True)
        self.thread.start()

    def _send(self) -> None:
        while (buf := self.queue.get()) is not None:
            if self.error is None:
                try:
                    self.copy.write(buf)
                except Exception as exc:  # noqa: BLE001 - any failure: kept for finish(), which re-raises it
                    # in the caller's thread; the loop goes on draining the queue, so the reader never blocks on
                    # a full one (a lost connection, a unique key failing early: whatever the COPY raised)
                    self.error = exc

    SLICE_ROWS = 10_000  # rows per CSV handed to the thread: a chunk's whole CSV would double its memory

    def write(self, frame: pd.DataFrame) -> None:
        for start in range(0, len(frame), self.SLICE_ROWS):
            if self.error is not None:
                return
            self._write(frame.iloc[start:start + self.SLICE_ROWS])

    def _write(self, df: pd.DataFrame) -> None:
        n = len(df)
        columns = []
        for c in APPEAL_COLUMNS:
            if c in ("received_at", "registered_at", "answered_at"):
                naive = df[c].dt.tz_convert(None).to_numpy().astype("datetime64[us]")
                stamps = np.datetime_as_string(naive, unit="us", timezone="UTC")  # ISO 8601 with Z
                columns.append(np.where(np.isnat(naive), "", stamps).tolist())
            elif c == "due_date":
                columns.append(np.datetime_as_string(df[c].to_numpy().astype("datetime64[D]")).tolist())
            elif c == "date_only":
                columns.append(df[c].astype("int64").tolist())
            elif c == "tenant_id":
                columns.append([self.tenant_id] * n)
            elif c == "extended_days":
                columns.append(["0"] * n)
            elif c in ("extension_reason", "redirected_to", "summary"):
                columns.append([""] * n)
            elif c == "created_at":
                columns.append([self.now] * n)
            else:
                columns.append(df[c].tolist())
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(zip(*columns, strict=True))
        del columns
        self.queue.put(out.getvalue().encode())
        self.rows += n

    def _stop_thread(self) -> None:
        self.queue.put(None)
        self.thread.join()

    def abandon(self) -> None:
        """Stop without storing (the file had errors): the COPY is cancelled; the caller rolls back."""
        import psycopg

        self._stop_thread()
        try:
            self.copy_cm.__exit__(RuntimeError, RuntimeError("import refused"), None)
        except psycopg.Error:  # the cancelled COPY's own error (or the thread's); the savepoint is rolled back next
            pass
        self.cursor.close()

    def finish(self) -> int:
        """End the COPY; a unique-key failure (a duplicate id) becomes `_Duplicates`."""
        import psycopg

        self._stop_thread()
        try:
            if self.error is not None:
                raise self.error
            self.copy_cm.__exit__(None, None, None)
        except psycopg.errors.UniqueViolation as exc:
            raise _Duplicates() from exc
        finally:
            self.cursor.close()
        return self.rows


def _tenant_has_appeals(conn, tenant_id: int) -> bool:
    return conn.execute(text("SELECT 1 FROM appeal WHERE tenant_id = :t LIMIT 1"), {"t": tenant_id}).first() is not None

