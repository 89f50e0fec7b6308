/**
 * A recording executor for the test suite: a `Db` that speaks the SQL Server dialect over an
 * SQLite file. Every statement is bound exactly as the SQL Server executor binds it (`@p0…`
 * placeholders, the driver's parameter types) and recorded; an SQLite spelling of it then runs,
 * so the contract tests' results stay real. Ids are stored in SQL Server's UNIQUEIDENTIFIER
 * sort order (so ties order as on the server) and read back as the server spells them. No SQL
 * Server runs here: the recorded statements are what the T-SQL check (`tsql_check.ts`) reads.
 * @module
 */
import { formatDbTime } from "../lib/time.ts";
import type { Db, Executor, Param, ReadOptions, Row } from "./connection.ts";
import { bindParams, mssqlDialect } from "./mssql.ts";
import type { BoundParam, RecordedStatement } from "./tsql_check.ts";
import { mssqlIdKey } from "./ids.ts";

/** The name of a parameter type as mssql declares it (`varchar`, `nvarchar`, `datetime`, …). */
function typeName(type: unknown): string {
  const t = type as { type?: { declaration?: string }; declaration?: string };
  return t.type?.declaration ?? t.declaration ?? "unknown";
}

/** Records a statement as the SQL Server executor would send it. */
function record(
  log: RecordedStatement[],
  { text, params }: { text: string; params: Param[] },
): void {
  const bound: BoundParam[] = [];
  const binder = {
    input(name: string, type: unknown, value: unknown) {
      bound.push({ name, type: typeName(type), value });
    },
  };
  log.push({ text: bindParams(binder, { text, params }), params: bound });
}

/** SQL Server catalog reads, answered from SQLite's catalog. */
const CATALOG: [RegExp, (params: Param[]) => { sql: string; params: Param[] }][] = [
  // clonedb's reads of the source's tables (every schema) and columns (with lengths and keys).
  [/TABLE_SCHEMA AS schema_name, TABLE_NAME AS name FROM INFORMATION_SCHEMA\.TABLES/, () => ({
    sql: "SELECT 'dbo' AS schema_name, name FROM sqlite_master " +
      "WHERE type = 'table' AND name NOT LIKE 'sqlite%'",
    params: [],
  })],
  [/FROM INFORMATION_SCHEMA\.COLUMNS c/, (params) => ({
    sql: `SELECT name,
        lower(CASE WHEN instr(type, '(') > 0 THEN substr(type, 1, instr(type, '(') - 1) ELSE type END)
          AS type,
        CASE WHEN instr(type, '(') > 0
          THEN CAST(substr(type, instr(type, '(') + 1) AS INTEGER) END AS length,
        "notnull" AS not_null, pk
      FROM pragma_table_info(?)`,
    params: params.slice(1),
  })],
  [/FROM INFORMATION_SCHEMA\.TABLES/, () => ({
    sql: "SELECT name FROM sqlite_master WHERE type = 'table'",
    params: [],
  })],
  [/FROM INFORMATION_SCHEMA\.COLUMNS/, (params) => ({
    sql: "SELECT name, type FROM pragma_table_info(?)",
    params,
  })],
  [/FROM sys\.indexes/, () => ({
    sql: "SELECT name FROM sqlite_master WHERE type = 'index'",
    params: [],
  })],
  // The self-check's server-only reads: what a login with full rights would be told.
  [/SUSER_SNAME\(\)/, () => ({ sql: "SELECT 'recorded' AS login, 'dbo' AS db_user", params: [] })],
  [/HAS_PERMS_BY_NAME/, () => ({ sql: "SELECT 1 AS has", params: [] })],
  [/FROM sys\.databases/, () => ({ sql: 'SELECT 1 AS "on"', params: [] })],
  [/SYSDATETIME\(\)/, () => ({
    sql: "SELECT ? AS now",
    params: [formatDbTime(new Date())],
  })],
];

/** The SQLite spelling of a statement built for SQL Server (the few T-SQL forms we use). */
export function sqliteSpelling(text: string, params: Param[]): { sql: string; params: Param[] } {
  for (const [pattern, answer] of CATALOG) if (pattern.test(text)) return answer(params);
  let sql = text
    .replace(/ OFFSET (\d+) ROWS FETCH NEXT (\d+) ROWS ONLY/g, " LIMIT $2 OFFSET $1")
    .replace(/CONVERT\(char\(10\), (\w+), 23\)/g, "substr($1, 1, 10)")
    .replace(
      /DATEDIFF_BIG\(millisecond, (\w+), (\w+)\)/g,
      "CAST(round((julianday($2) - julianday($1)) * 86400000) AS INTEGER)",
    )
    .replace(/\) INCLUDE \([^)]*\)$/, ")")
    .replace(/\[dbo\]\./g, "");
  const top = /^SELECT (DISTINCT )?TOP \((\d+)\) /.exec(sql);
  if (top) sql = `SELECT ${top[1] ?? ""}${sql.slice(top[0].length)} LIMIT ${top[2]}`;
  // A batch's TOP inside a subquery: LIMIT before the subquery's closing parenthesis.
  for (
    let inner = /\(SELECT TOP \((\d+)\) /.exec(sql);
    inner;
    inner = /\(SELECT TOP \((\d+)\) /.exec(sql)
  ) {
    let end = inner.index + inner[0].length;
    for (let depth = 1; depth > 0; end++) depth += sql[end] === "(" ? 1 : sql[end] === ")" ? -1 : 0;
    sql =
      `${sql.slice(0, inner.index)}(SELECT ${sql.slice(inner.index + inner[0].length, end - 1)}` +
      ` LIMIT ${inner[1]})${sql.slice(end)}`;
  }
  return { sql, params };
}

const GUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/i;
const KEY = /^[0-9a-f]{32}$/;
/** Byte `i` of a sort key is byte `KEY_BYTES[i]` of the id (see `mssqlIdKey`). */
const KEY_BYTES = [10, 11, 12, 13, 14, 15, 8, 9, 7, 6, 5, 4, 3, 2, 1, 0];

/** An id as SQL Server spells it, from its sort key. */
function idOfKey(key: string): string {
  const bytes: string[] = [];
  KEY_BYTES.forEach((from, i) => bytes[from] = key.slice(2 * i, 2 * i + 2));
  const hex = bytes.join("").toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

function keyParams(params: Param[]): Param[] {
  return params.map((p) => typeof p === "string" && GUID.test(p) ? mssqlIdKey(p) : p);
}

function idRows<T>(rows: T[]): T[] {
  for (const row of rows as Row[]) {
    for (const [k, v] of Object.entries(row)) {
      if (typeof v === "string" && KEY.test(v)) row[k] = idOfKey(v);
    }
  }
  return rows;
}

function recordingExecutor(inner: Executor, log: RecordedStatement[]): Executor {
  return {
    dialect: mssqlDialect,
    async query<T>(text: string, params: Param[] = [], options?: ReadOptions) {
      record(log, { text, params });
      const spelled = sqliteSpelling(text, keyParams(params));
      return idRows(await inner.query<T>(spelled.sql, spelled.params, options));
    },
    run(text: string, params: Param[] = []) {
      record(log, { text, params });
      const spelled = sqliteSpelling(text, keyParams(params));
      return inner.run(spelled.sql, spelled.params);
    },
  };
}

/** Wraps an SQLite `Db` so it speaks (and records) the SQL Server dialect. */
export function recordingDb(inner: Db, log: RecordedStatement[]): Db {
  return {
    ...recordingExecutor(inner, log),
    target: inner.target,
    info: inner.info,
    transaction: (fn) => inner.transaction((tx) => fn(recordingExecutor(tx, log))),
    close: () => inner.close(),
  };
}
