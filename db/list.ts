/**
 * The reads of the one list mechanism. A page-paged list (a small table) is read by page number
 * in any allowlisted order, with its total. A cursor-paged list (Logs, Queues: millions of rows)
 * is read by its position in the (time, id) order, so a deep page costs what the first one does;
 * filtered by several statuses or levels it is read as one index range per value, the ranges'
 * first keys merged in the same statement, so no read ever sorts the whole match; its count stops
 * at a cap. Either kind sorts keys, not rows: only the page's rows are read whole. A text search
 * over a cursor list reads at most {@linkcode SEARCH_SLICE_ROWS} rows per page: a page that did
 * not fill by then ends where its slice did, says how far it searched, and its next page searches
 * on. Both kinds take the order from the list's definition.
 * @module
 */
import type { Cursor } from "../lib/cursor.ts";
import {
  type Dir,
  type ListDefinition,
  type PageParams,
  type Paging,
  sortOf,
} from "../lib/list.ts";
import { type Executor, pause, time } from "./connection.ts";
import { type Condition, searchCondition, whereOf } from "./sql.ts";

/** A page-paged list's rows and how many match in all. */
export type Page<T> = { rows: T[]; total: number };

/** A list read from a table: its definition and the SQL it reads with (never from input). */
export type TableList<T> = ListDefinition<T> & {
  /** `FROM …` text (tables and joins). */
  from: string;
  /** Select list. */
  select: string;
  /** Columns the free-text search looks in. */
  search: readonly string[];
  /** A unique column that makes a page-paged order total (a cursor list's is `id`). */
  tiebreak: string;
  /**
   * The list's own table (`Triggers t`), when `from` only joins it to tables with at most one row
   * for each of its rows: with no condition, the count reads this table alone, not the joins, and
   * so do a page's keys when the sort is one of its columns (`t.priority`).
   */
  table?: string;
};

/** What a page's count and keys read: the list's own table alone when they can, else `from`. */
function sourcesOf(
  list: TableList<never>,
  read: { where: string; order: string | true },
): { count: string; keys: string } {
  if (read.where || !list.table) return { count: list.from, keys: list.from };
  const alias = list.table.split(" ").at(-1);
  const own = typeof read.order === "string" && new RegExp(`^${alias}\\.\\w+$`).test(read.order);
  return { count: list.table, keys: own ? list.table : list.from };
}

/** Reads one page of a page-paged list and the total count of matching rows. */
export async function listPage<T>(
  db: Executor,
  list: TableList<never>,
  read: { params: PageParams; where?: Condition[] },
): Promise<Page<T>> {
  const { params } = read;
  const where = whereOf([...(read.where ?? []), ...searchCondition(list.search, params.q)]);
  const order = sortOf(list, params.sort);
  const dir = params.dir === "desc" ? "DESC" : "ASC";
  // SQL Server refuses a column twice in ORDER BY (error 169): no tiebreak when it is the sort.
  const orderBy = order === list.tiebreak
    ? `${order} ${dir}`
    : `${order} ${dir}, ${list.tiebreak} ${dir}`;
  const source = sourcesOf(list, { where: where.sql, order });
  // The page's keys first (the sort carries keys, not whole rows, and the joins only the filter
  // and order need), then the page's rows: a page of 200 triggers in half the time.
  const keys = `SELECT ${list.tiebreak} FROM ${source.keys}${where.sql} ORDER BY ${orderBy}` +
    db.dialect.page(params.size, (params.page - 1) * params.size);
  const rows = await db.query<T>(
    `SELECT ${list.select} FROM ${list.from} WHERE ${list.tiebreak} IN (${keys}) ORDER BY ${orderBy}`,
    where.params,
  );
  const [{ total }] = await db.query<{ total: number }>(
    `SELECT COUNT(*) AS total FROM ${source.count}${where.sql}`,
    where.params,
  );
  return { rows, total: Number(total) };
}

/** One read of a cursor-paged list: its definition, table and conditions (never from input). */
export type KeysetSource = {
  list: ListDefinition<never>;
  select: string;
  table: string;
  where: Condition[];
  /**
   * Disjoint conditions, each read as its own range and merged (say one per status: each is
   * one index range); empty for a single read.
   */
  splits: Condition[];
  /**
   * The text search, if any: its pages read a slice of rows at a time (see
   * {@linkcode SEARCH_SLICE_ROWS}), and its reads are scans.
   */
  search?: Condition[];
  /** It reads everything (as an export does): its reads are scans. */
  scan?: boolean;
  /** The request's: a scan still waiting for a reader is dropped when it closes. */
  signal?: AbortSignal;
};

/** One page of a cursor list, and the cursors of its neighbours (null at either end). */
type KeysetPage<T> = {
  rows: T[];
  next: Cursor | null;
  previous: Cursor | null;
  /**
   * A search page that ended with its slice, before it filled: the time it searched to. Its next
   * page (its previous one, when read backwards) searches on from there.
   */
  searchedTo?: string;
};

/**
 * A page of a cursor list and how many rows match in all: null for a search that did not read
 * to its end (it is not counted: that would read every row the search pages spare).
 */
export type CountedPage<T> = KeysetPage<T> & { total: CappedCount | null };

/**
 * The most rows a page of a text search reads (shared among its index ranges). A search that
 * matches little would otherwise read every row of its range at once (a week of a busy process
 * is 70,000 rows at 5 M logs, 100 ms); a slice holds the reader for about 2.5 ms, so the scans
 * queued behind it wait little (a slice that finds nothing gives way to the next by itself).
 */
export const SEARCH_SLICE_ROWS = 2_500;

/**
 * The lowest and highest ids in every stored spelling (hex or dashed, any case; on SQL Server as
 * a UNIQUEIDENTIFIER): a cursor at a time before or after every row of that time. The dashed zero
 * is the lowest, as `-` sorts before every digit; the 32 lowercase f's the highest.
 */
const ID_BOUNDS = {
  lowest: "00000000-0000-0000-0000-000000000000",
  highest: "f".repeat(32),
} as const;

/** The largest count a list page computes; more is shown as "10,000+". */
const COUNT_CAP = 10_000;

/** A count that may have stopped at the cap. */
export type CappedCount = { count: number; capped: boolean };

/** The time column a cursor list is ordered by (then by `id`). */
function timeOf(source: KeysetSource): string {
  return sortOf(source.list, source.list.sort) as string;
}

function rowCursor(row: Record<string, unknown>, column: string): Cursor {
  return { time: row[column] as string, id: String(row.id) };
}

/** The rows strictly after `cursor` in the `dir` order. */
function afterCursor(
  db: Executor,
  { column, cursor, dir }: { column: string; cursor: Cursor; dir: Dir },
): Condition {
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

/** Every condition of a source, its search included. */
function conditionsOf(source: KeysetSource): Condition[] {
  return [...source.where, ...(source.search ?? [])];
}

/** How a source's reads are run: scans when it searches or reads everything. */
function readOptions(source: KeysetSource) {
  return { scan: source.scan || Boolean(source.search?.length), signal: source.signal };
}

/**
 * Where a search page's slice ends when read in `dir` from the time of the cursor `from`: the
 * time of the last row of the slice in the index range that ends first (each range reads its
 * share of {@linkcode SEARCH_SLICE_ROWS}, in the order of its index alone), or null when every
 * range ends within its share. Only the cursor's time bounds it, so that the index alone answers
 * (the rows of that time already shown count towards the slice: it ends a few rows early).
 */
async function sliceEnd(
  db: Executor,
  read: { source: KeysetSource; from: Cursor | null; dir: Dir },
): Promise<string | null> {
  const { source, from, dir } = read;
  const column = timeOf(source);
  const reads = source.splits.length ? source.splits : [null];
  const share = Math.ceil(SEARCH_SLICE_ROWS / reads.length);
  const start: Condition[] = from
    ? [{ sql: `${column} ${dir === "desc" ? "<=" : ">="} ?`, params: [time(from.time)] }]
    : [];
  let end: string | null = null;
  for (const split of reads) {
    const where = whereOf([...source.where, ...(split ? [split] : []), ...start]);
    // Not a scan: a walk of at most `share` entries of one index (a quarter of a millisecond at
    // 5 M rows), cheaper here than a trip to the reader and back.
    const [row] = await db.query<Record<string, string>>(
      `SELECT ${column} AS t FROM ${source.table}${where.sql} ORDER BY ${column} ${
        dir === "desc" ? "DESC" : "ASC"
      }${db.dialect.page(1, share - 1)}`,
      where.params,
    );
    const t = row?.t;
    if (t !== undefined && (end === null || (dir === "desc" ? t > end : t < end))) end = t;
  }
  return end;
}

/**
 * The first `limit` rows after the `extra` conditions, in the list's order. Several index ranges
 * (splits) are one statement: the ranges' keys (time, id and row key) merged by the database,
 * then only the page's rows read whole. So only the page's rows come back (and a scan is one trip
 * to the reader), and the merge handles keys, not rows. SQLite merges the ranges in order and
 * stops at the limit (a queue's 200 rows of every status: 0.7 ms, against 1.7 ms when each range
 * is limited and the keys sorted, as SQL Server needs).
 */
async function readOrdered<T extends Record<string, unknown>>(
  db: Executor,
  source: KeysetSource,
  read: { extra: Condition[]; dir: Dir; limit: number; slice?: string | null },
): Promise<T[]> {
  const column = timeOf(source);
  const order = read.dir === "desc" ? "DESC" : "ASC";
  const page = db.dialect.page(read.limit, 0);
  // The slice's bound goes first: SQLite takes the first bound of the time column for its range.
  const slice: Condition[] = read.slice
    ? [{ sql: `${column} ${read.dir === "desc" ? ">=" : "<="} ?`, params: [time(read.slice)] }]
    : [];
  const ranges = (source.splits.length ? source.splits : [null]).map((split) =>
    whereOf([...slice, ...conditionsOf(source), ...(split ? [split] : []), ...read.extra])
  );
  const params = ranges.flatMap((where) => where.params);
  const { table } = source;
  const orderBy = ` ORDER BY ${column} ${order}, id ${order}${page}`;
  if (ranges.length === 1) {
    const sql = `SELECT ${source.select} FROM ${table}${ranges[0].sql}${orderBy}`;
    return await db.query<T>(sql, params, readOptions(source));
  }
  const key = db.dialect.rowKey;
  const keyOrder = ` ORDER BY k_time ${order}, k_id ${order}${page}`;
  const arms = ranges.map((where) =>
    `SELECT ${key} AS k_key, ${column} AS k_time, id AS k_id FROM ${table}${where.sql}`
  );
  const keys = db.dialect.mergesRanges
    ? `${arms.join(" UNION ALL ")}${keyOrder}`
    : `SELECT * FROM (${
      arms.map((arm, i) => `SELECT * FROM (${arm}${orderBy}) r${i}`).join(" UNION ALL ")
    }) u${keyOrder}`;
  const sql = `SELECT ${source.select} FROM (${keys}) k` +
    ` JOIN ${table} ON ${table}.${key} = k.k_key ORDER BY k.k_time ${order}, k.k_id ${order}`;
  return await db.query<T>(sql, params, readOptions(source));
}

/** Reads one page of a cursor list, starting after (or ending before) a cursor. */
export async function keysetPage<T extends Record<string, unknown>>(
  db: Executor,
  source: KeysetSource,
  { paging }: { paging: Paging },
): Promise<KeysetPage<T>> {
  const back = paging.before !== null;
  const dir: Dir = back ? (paging.dir === "desc" ? "asc" : "desc") : paging.dir;
  const from = paging.before ?? paging.after;
  const extra = from ? [afterCursor(db, { column: timeOf(source), cursor: from, dir })] : [];
  const slice = source.search?.length ? await sliceEnd(db, { source, from, dir }) : null;
  const got = await readOrdered<T>(db, source, { extra, dir, limit: paging.size + 1, slice });
  const more = got.length > paging.size;
  const rows = got.slice(0, paging.size);
  if (back) rows.reverse();
  const cursor = (row: T | undefined) => row ? rowCursor(row, timeOf(source)) : null;
  // Not full within its slice: the page ends where the slice did, after every row of its time.
  const stop: Cursor | null = !more && slice
    ? { time: slice, id: dir === "desc" ? ID_BOUNDS.lowest : ID_BOUNDS.highest }
    : null;
  const onward = more ? cursor(got[paging.size - 1]) : stop;
  // An empty page of a search still leads back: to the rows before the cursor it was read from.
  const first = cursor(rows[0]) ?? from;
  const last = cursor(rows.at(-1)) ?? from;
  const searched = stop ? { searchedTo: stop.time } : {};
  return back
    ? { rows, next: last, previous: onward, ...searched }
    : { rows, next: onward, previous: paging.after ? first : null, ...searched };
}

/** How many rows one read of an export brings. */
const EXPORT_BATCH = 1000;

/**
 * Every row of a cursor list in its order, `batch` rows per read: memory stays flat however
 * many rows match, and the first batch comes after one read. Between reads it lets the event
 * loop run (node:sqlite reads synchronously): the bytes of a batch go out, and other requests
 * are answered, while a long export runs.
 */
export async function* keysetBatches<T extends Record<string, unknown>>(
  db: Executor,
  source: KeysetSource,
  options: { dir: Dir; batch?: number },
): AsyncGenerator<T[]> {
  let after: Cursor | null = null;
  do {
    await pause();
    const page: KeysetPage<T> = await keysetPage<T>(db, { ...source, scan: true }, {
      paging: {
        size: options.batch ?? EXPORT_BATCH,
        dir: options.dir,
        after,
        before: null,
      },
    });
    if (page.rows.length) yield page.rows;
    after = page.next;
  } while (after);
}

/** Reads up to `limit` rows newer than `cursor`, newest first (the live tail). */
export function newerThan<T extends Record<string, unknown>>(
  db: Executor,
  source: KeysetSource,
  read: { cursor: Cursor | null; limit: number },
): Promise<T[]> {
  const extra = read.cursor
    ? [afterCursor(db, { column: timeOf(source), cursor: read.cursor, dir: "asc" })]
    : [];
  return readOrdered<T>(db, source, { extra, dir: "desc", limit: read.limit });
}

/**
 * How many rows a cursor list has in all. A page that is the whole list (no page before or after
 * it) has its rows, whatever the poller's counts said (they may be a round old), and nothing is
 * counted: a search that matches a page or less is not read twice. A search is not counted
 * otherwise (null). Else `known` (the poller's count, when it applies), or the rows counted up to
 * {@linkcode COUNT_CAP}.
 */
export async function listTotal(
  db: Executor,
  read: { source: KeysetSource; page: KeysetPage<unknown>; known?: CappedCount },
): Promise<CappedCount | null> {
  const { source, page, known } = read;
  if (page.next === null && page.previous === null) {
    return { count: page.rows.length, capped: false };
  }
  if (source.search?.length) return null;
  return known ?? await cappedCount(db, source);
}

/** Counts the rows of a cursor list (never a search), stopping at {@linkcode COUNT_CAP}. */
async function cappedCount(db: Executor, source: KeysetSource): Promise<CappedCount> {
  let count = 0;
  for (const split of source.splits.length ? source.splits : [null]) {
    const where = whereOf([...source.where, ...(split ? [split] : [])]);
    const [row] = await db.query<{ n: number }>(
      `SELECT COUNT(*) AS n FROM (SELECT 1 AS x FROM ${source.table}${where.sql} ORDER BY ${
        timeOf(source)
      } DESC` +
        `${db.dialect.page(COUNT_CAP + 1 - count, 0)}) capped`,
      where.params,
      readOptions(source),
    );
    count += Number(row.n);
    if (count > COUNT_CAP) return { count: COUNT_CAP, capped: true };
  }
  return { count, capped: false };
}
