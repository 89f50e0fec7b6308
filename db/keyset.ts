/**
 * Keyset paging and capped counts for the large tables (Logs, Queues). A page is read by its
 * position in the (time, id) order, so a deep page costs what the first one does; a list filtered
 * by several statuses or levels is read as one index range per value, merged here, so no read
 * ever sorts the whole match.
 * @module
 */
import type { Cursor } from "../lib/cursor.ts";
import type { Paging } from "../lib/filters.ts";
import { type Executor, type Param, time } from "./connection.ts";

/** A condition with its parameters. */
export type Condition = { sql: string; params: Param[] };

/** A time-ordered list: written by the query modules, never from input. */
export type KeysetSource = {
  columns: string;
  table: string;
  /** The time column the list is ordered by (then by `id`). */
  time: string;
  where: Condition[];
  /**
   * Disjoint conditions read one by one and merged (say one per status: each is one index
   * range); empty for a single read.
   */
  splits: Condition[];
};

/** One page of a keyset list, and the cursors of its neighbours (null at either end). */
export type KeysetPage<T> = { rows: T[]; next: Cursor | null; previous: Cursor | null };

/** A page of a keyset list and how many rows match in all. */
export type CountedPage<T> = KeysetPage<T> & { total: CappedCount };

/** The largest count a list page computes; more is shown as "10,000+". */
export const COUNT_CAP = 10_000;

/** A count that may have stopped at the cap. */
export type CappedCount = { count: number; capped: boolean };

/** Joins conditions into a WHERE clause with their parameters. */
export function whereOf(conditions: Condition[]): Condition {
  return conditions.length
    ? {
      sql: ` WHERE ${conditions.map((c) => c.sql).join(" AND ")}`,
      params: conditions.flatMap((c) => c.params),
    }
    : { sql: "", params: [] };
}

/** `column IN (?, ?, …)` for a non-empty list of values. */
export function inList(column: string, values: readonly Param[]): Condition {
  return { sql: `${column} IN (${values.map(() => "?").join(", ")})`, params: [...values] };
}

/**
 * The sort key SQL Server gives a UNIQUEIDENTIFIER (bytes 10–15, 8–9, then the first three
 * groups byte-reversed), so merged reads order ties the way the server does.
 */
export function mssqlIdKey(id: string): string {
  const hex = id.replaceAll("-", "").toLowerCase();
  const byte = (i: number) => hex.slice(2 * i, 2 * i + 2);
  return [10, 11, 12, 13, 14, 15, 8, 9, 7, 6, 5, 4, 3, 2, 1, 0].map(byte).join("");
}

type Dir = "asc" | "desc";

function rowCursor(row: Record<string, unknown>, column: string): Cursor {
  return { time: row[column] as string, id: String(row.id) };
}

function comparer(db: Executor, column: string, dir: Dir) {
  const key = db.dialect.name === "mssql" ? mssqlIdKey : (id: string) => id;
  const sign = dir === "asc" ? 1 : -1;
  return (a: Record<string, unknown>, b: Record<string, unknown>) => {
    const [ta, tb] = [a[column] as string, b[column] as string];
    if (ta !== tb) return ta < tb ? -sign : sign;
    const [ia, ib] = [key(String(a.id)), key(String(b.id))];
    return ia === ib ? 0 : ia < ib ? -sign : sign;
  };
}

/** The rows strictly after `cursor` in the `dir` order. */
function afterCursor(db: Executor, column: string, cursor: Cursor, dir: Dir): Condition {
  const [eq, strict] = dir === "desc" ? ["<=", "<"] : [">=", ">"];
  // SQL Server reads a UNIQUEIDENTIFIER only from the dashed spelling.
  const id = db.dialect.name === "mssql" && !cursor.id.includes("-")
    ? cursor.id.replace(/^(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-")
    : cursor.id;
  return {
    sql: `${column} ${eq} ? AND (${column} ${strict} ? OR id ${strict} ?)`,
    params: [time(cursor.time), time(cursor.time), id],
  };
}

async function readOrdered<T extends Record<string, unknown>>(
  db: Executor,
  source: KeysetSource,
  extra: Condition[],
  dir: Dir,
  limit: number,
): Promise<T[]> {
  const order = dir === "desc" ? "DESC" : "ASC";
  const reads = source.splits.length ? source.splits : [null];
  const rows: T[] = [];
  for (const split of reads) {
    const where = whereOf([...source.where, ...(split ? [split] : []), ...extra]);
    rows.push(
      ...await db.query<T>(
        `SELECT ${source.columns} FROM ${source.table}${where.sql} ORDER BY ${source.time} ${order}, id ${order}` +
          db.dialect.page(limit, 0),
        where.params,
      ),
    );
  }
  return reads.length > 1 ? rows.sort(comparer(db, source.time, dir)).slice(0, limit) : rows;
}

/** Reads one page of a time-ordered list, starting after (or ending before) a cursor. */
export async function keysetPage<T extends Record<string, unknown>>(
  db: Executor,
  source: KeysetSource,
  paging: Paging,
): Promise<KeysetPage<T>> {
  const back = paging.before !== null;
  const scan: Dir = back ? (paging.dir === "desc" ? "asc" : "desc") : paging.dir;
  const from = paging.before ?? paging.after;
  const extra = from ? [afterCursor(db, source.time, from, scan)] : [];
  const got = await readOrdered<T>(db, source, extra, scan, paging.size + 1);
  const more = got.length > paging.size;
  const rows = got.slice(0, paging.size);
  if (back) rows.reverse();
  const first = rows[0];
  const last = rows.at(-1);
  const cursor = (row: T | undefined) => row ? rowCursor(row, source.time) : null;
  return back
    ? { rows, next: cursor(last), previous: more ? cursor(first) : null }
    : { rows, next: more ? cursor(last) : null, previous: paging.after ? cursor(first) : null };
}

/** Reads up to `limit` rows newer than `cursor`, newest first (the live tail). */
export function newerThan<T extends Record<string, unknown>>(
  db: Executor,
  source: KeysetSource,
  cursor: Cursor | null,
  limit: number,
): Promise<T[]> {
  const extra = cursor ? [afterCursor(db, source.time, cursor, "asc")] : [];
  return readOrdered<T>(db, source, extra, "desc", limit);
}

/**
 * The total of a page: `counted`, unless the page is the whole list (no page before or after
 * it), whose total is its rows whatever the counts said (they may be a poll old).
 */
export function pageTotal(page: KeysetPage<unknown>, counted: CappedCount): CappedCount {
  return page.next === null && page.previous === null
    ? { count: page.rows.length, capped: false }
    : counted;
}

/** Counts the rows of a list, stopping at {@linkcode COUNT_CAP}. */
export async function cappedCount(db: Executor, source: KeysetSource): Promise<CappedCount> {
  let count = 0;
  for (const split of source.splits.length ? source.splits : [null]) {
    const where = whereOf([...source.where, ...(split ? [split] : [])]);
    const [row] = await db.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM (SELECT 1 AS x FROM ${source.table}${where.sql} ORDER BY ${source.time} DESC` +
        `${db.dialect.page(COUNT_CAP + 1 - count, 0)}) capped`,
      where.params,
    );
    count += Number(row.n);
    if (count > COUNT_CAP) return { count: COUNT_CAP, capped: true };
  }
  return { count, capped: false };
}

/**
 * Lets waiting requests run between the reads of a long aggregate: `node:sqlite` is synchronous,
 * so one long read would hold every request up.
 */
export function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
