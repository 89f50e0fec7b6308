/**
 * One paged, searched, sorted read for every list, and its total.
 * @module
 */
import type { ListParams } from "../lib/list.ts";
import type { Executor, Param } from "./connection.ts";

/** A list's rows and how many match in all. */
export type Page<T> = { rows: T[]; total: number };

/** What to read: written by the query modules, never from input. */
export type ListSource = {
  /** `FROM …` text (tables and joins). */
  from: string;
  /** Select list. */
  columns: string;
  /** Columns the free-text search looks in. */
  search: readonly string[];
  /** Extra conditions with their parameters. */
  where?: { sql: string; params: Param[] }[];
  /** Sort key (allowlisted by the caller) → ORDER BY expression. */
  order: Record<string, string>;
  /** A unique column that makes the order total (for stable paging). */
  tiebreak: string;
};

/**
 * `text` with the LIKE wildcards of both engines made literal for `ESCAPE '\'`: `%`, `_`, the
 * escape itself, and `[` (a character class on SQL Server; SQLite takes the escaped `[` as itself).
 */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_[]/g, (c) => `\\${c}`);
}

/** A LIKE pattern (with `ESCAPE '\'`) for the values that contain `text`. */
export function likePattern(text: string): string {
  return `%${likeLiteral(text)}%`;
}

/** A LIKE pattern (with `ESCAPE '\'`) for the values that start with `text`: an index range. */
export function prefixPattern(text: string): string {
  return `${likeLiteral(text)}%`;
}

/** Reads one page of a list and the total count of matching rows. */
export async function listPage<T>(
  db: Executor,
  source: ListSource,
  params: ListParams,
): Promise<Page<T>> {
  const conditions = [...(source.where ?? [])];
  if (params.q) {
    const pattern = likePattern(params.q);
    conditions.push({
      sql: `(${source.search.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(" OR ")})`,
      params: source.search.map(() => pattern),
    });
  }
  const where = conditions.length ? ` WHERE ${conditions.map((c) => c.sql).join(" AND ")}` : "";
  const whereParams = conditions.flatMap((c) => c.params);
  const order = source.order[params.sort];
  if (!order) throw new Error(`Cannot sort by ${params.sort}: not in the allowlist`);
  const dir = params.dir === "desc" ? "DESC" : "ASC";
  // SQL Server refuses a column twice in ORDER BY (error 169): no tiebreak when it is the sort.
  const orderBy = order === source.tiebreak
    ? `${order} ${dir}`
    : `${order} ${dir}, ${source.tiebreak} ${dir}`;
  const rows = await db.query<T>(
    `SELECT ${source.columns} FROM ${source.from}${where} ORDER BY ${orderBy}` +
      db.dialect.page(params.size, (params.page - 1) * params.size),
    whereParams,
  );
  const [{ total }] = await db.query<{ total: number }>(
    `SELECT COUNT(*) AS total FROM ${source.from}${where}`,
    whereParams,
  );
  return { rows, total: Number(total) };
}
