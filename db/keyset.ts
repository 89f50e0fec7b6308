/**
 * Small SQL helpers shared by the query modules: conditions and their WHERE clause, `IN` lists,
 * SQL Server's order of UNIQUEIDENTIFIERs, and a pause between the reads of a long aggregate.
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
 * The sort key SQL Server gives a UNIQUEIDENTIFIER (bytes 10–15, 8–9, then the first three
 * groups byte-reversed), so merged reads order ties the way the server does.
 */
export function mssqlIdKey(id: string): string {
  const hex = id.replaceAll("-", "").toLowerCase();
  const byte = (i: number) => hex.slice(2 * i, 2 * i + 2);
  return [10, 11, 12, 13, 14, 15, 8, 9, 7, 6, 5, 4, 3, 2, 1, 0].map(byte).join("");
}

/**
 * Lets waiting requests run between the reads of a long aggregate: `node:sqlite` is synchronous,
 * so one long read would hold every request up.
 */
export function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
