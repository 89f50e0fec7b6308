/**
 * Helpers that build SQL text with its parameters, for the query modules: conditions and their
 * WHERE clause, `IN` lists, and LIKE patterns for a search text (never input as SQL).
 * @module
 */
import type { Param } from "./connection.ts";

/** A condition with its parameters. */
export type Condition = { sql: string; params: Param[] };

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

/** The condition that the search text `q` is in one of `columns` (none for an empty text). */
export function searchCondition(columns: readonly string[], q: string): Condition[] {
  if (!q) return [];
  const pattern = likePattern(q);
  return [{
    sql: `(${columns.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(" OR ")})`,
    params: columns.map(() => pattern),
  }];
}
