/**
 * The reads of the one list mechanism. A page-paged list (a small table) is read by page number
 * in any allowlisted order, with its total. A cursor-paged list (Logs, Queues: millions of rows)
 * is read by its position in the (time, id) order, so a deep page costs what the first one does;
 * filtered by several statuses or levels it is read as one index range per value, merged here, so
 * no read ever sorts the whole match; its count stops at a cap. Both take the order from the
 * list's definition.
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
import { mssqlIdKey } from "./ids.ts";

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
};

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
  const rows = await db.query<T>(
    `SELECT ${list.select} FROM ${list.from}${where.sql} ORDER BY ${orderBy}` +
      db.dialect.page(params.size, (params.page - 1) * params.size),
    where.params,
  );
  const [{ total }] = await db.query<{ total: number }>(
    `SELECT COUNT(*) AS total FROM ${list.from}${where.sql}`,
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
   * Disjoint conditions read one by one and merged (say one per status: each is one index
   * range); empty for a single read.
   */
  splits: Condition[];
  /** It searches text (or reads everything, as an export does): its reads are scans. */
  scan?: boolean;
  /** The request's: a scan still waiting for a reader is dropped when it closes. */
  signal?: AbortSignal;
};

/** One page of a cursor list, and the cursors of its neighbours (null at either end). */
type KeysetPage<T> = { rows: T[]; next: Cursor | null; previous: Cursor | null };

/** A page of a cursor list and how many rows match in all. */
export type CountedPage<T> = KeysetPage<T> & { total: CappedCount };

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

function comparer(db: Executor, { column, dir }: { column: string; dir: Dir }) {
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

async function readOrdered<T extends Record<string, unknown>>(
  db: Executor,
  source: KeysetSource,
  read: { extra: Condition[]; dir: Dir; limit: number },
): Promise<T[]> {
  const column = timeOf(source);
  const order = read.dir === "desc" ? "DESC" : "ASC";
  const reads = source.splits.length ? source.splits : [null];
  const rows: T[] = [];
  for (const split of reads) {
    const where = whereOf([...source.where, ...(split ? [split] : []), ...read.extra]);
    rows.push(
      ...await db.query<T>(
        `SELECT ${source.select} FROM ${source.table}${where.sql} ORDER BY ${column} ${order}, id ${order}` +
          db.dialect.page(read.limit, 0),
        where.params,
        { scan: source.scan, signal: source.signal },
      ),
    );
  }
  return reads.length > 1
    ? rows.sort(comparer(db, { column, dir: read.dir })).slice(0, read.limit)
    : rows;
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
  const got = await readOrdered<T>(db, source, { extra, dir, limit: paging.size + 1 });
  const more = got.length > paging.size;
  const rows = got.slice(0, paging.size);
  if (back) rows.reverse();
  const first = rows[0];
  const last = rows.at(-1);
  const cursor = (row: T | undefined) => row ? rowCursor(row, timeOf(source)) : null;
  return back
    ? { rows, next: cursor(last), previous: more ? cursor(first) : null }
    : { rows, next: more ? cursor(last) : null, previous: paging.after ? cursor(first) : null };
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
 * counted: a search that matches a page or less is not read twice. Otherwise `known` (the
 * poller's count, when it applies), or the rows counted up to {@linkcode COUNT_CAP}.
 */
export async function listTotal(
  db: Executor,
  read: { source: KeysetSource; page: KeysetPage<unknown>; known?: CappedCount },
): Promise<CappedCount> {
  const { source, page, known } = read;
  if (page.next === null && page.previous === null) {
    return { count: page.rows.length, capped: false };
  }
  return known ?? await cappedCount(db, source);
}

/** Counts the rows of a cursor list, stopping at {@linkcode COUNT_CAP}. */
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
      { scan: source.scan, signal: source.signal },
    );
    count += Number(row.n);
    if (count > COUNT_CAP) return { count: COUNT_CAP, capped: true };
  }
  return { count, capped: false };
}
