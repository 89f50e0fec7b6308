/**
 * SQLite through Deno's built-in `node:sqlite`: WAL mode and a busy timeout, so the Python
 * writers and our readers do not block each other.
 * @module
 */
import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import type { DatabaseTarget } from "../lib/config.ts";
import {
  DatabaseUnavailableError,
  type Db,
  type Dialect,
  type Executor,
  isTimeParam,
  type Param,
  UNKNOWN_INFO,
} from "./connection.ts";

/** The SQLite dialect. */
export const sqliteDialect: Dialect = {
  name: "sqlite",
  page(limit, offset) {
    return ` LIMIT ${checkedInt(limit)} OFFSET ${checkedInt(offset)}`;
  },
  firstRows(select, limit) {
    return `${select} LIMIT ${checkedInt(limit)}`;
  },
};

/** Asserts a paging number is a safe non-negative integer before it goes into SQL text. */
export function checkedInt(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`Cannot page: ${n} is not a row count`);
  return n;
}

function bind(params: Param[]): SQLInputValue[] {
  return params.map((p) => isTimeParam(p) ? p.time : typeof p === "boolean" ? (p ? 1 : 0) : p);
}

/** Maps the SQLite errors that mean "cannot reach the file" to `DatabaseUnavailableError`. */
function asUnavailable(error: unknown): unknown {
  const code = (error as { errcode?: number }).errcode;
  // SQLITE_BUSY 5, SQLITE_LOCKED 6, SQLITE_IOERR 10, SQLITE_CORRUPT 11, SQLITE_CANTOPEN 14,
  // SQLITE_NOTADB 26
  if (code !== undefined && [5, 6, 10, 11, 14, 26].includes(code & 0xff)) {
    return new DatabaseUnavailableError(
      `The database cannot be reached: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return error;
}

/**
 * Opens an SQLite file (creating it when `create` is set) in WAL mode with a busy timeout.
 * @param target the file to open
 */
export function openSqlite(
  target: Extract<DatabaseTarget, { kind: "sqlite" }>,
  options: { create?: boolean; readOnly?: boolean } = {},
): Db {
  let handle: DatabaseSync;
  try {
    if (!options.create) Deno.statSync(target.path);
    handle = new DatabaseSync(target.path, { readOnly: options.readOnly ?? false });
  } catch (error) {
    throw new DatabaseUnavailableError(
      `Cannot open the SQLite database ${target.path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  handle.exec("PRAGMA busy_timeout = 5000");
  if (!options.readOnly) handle.exec("PRAGMA journal_mode = WAL");
  handle.exec("PRAGMA foreign_keys = ON");

  const executor: Executor = {
    dialect: sqliteDialect,
    query<T>(sql: string, params: Param[] = []) {
      try {
        return Promise.resolve(handle.prepare(sql).all(...bind(params)) as T[]);
      } catch (error) {
        return Promise.reject(asUnavailable(error));
      }
    },
    run(sql: string, params: Param[] = []) {
      try {
        return Promise.resolve(Number(handle.prepare(sql).run(...bind(params)).changes));
      } catch (error) {
        return Promise.reject(asUnavailable(error));
      }
    },
  };

  // node:sqlite is synchronous on one connection: transactions are serialized so that two
  // requests never interleave statements inside one BEGIN … COMMIT.
  let queue: Promise<unknown> = Promise.resolve();

  return {
    ...executor,
    target,
    info: { ...UNKNOWN_INFO },
    transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
      const result = queue.then(async () => {
        handle.exec("BEGIN IMMEDIATE");
        try {
          const value = await fn(executor);
          handle.exec("COMMIT");
          return value;
        } catch (error) {
          if (handle.isTransaction) handle.exec("ROLLBACK");
          throw asUnavailable(error);
        }
      });
      queue = result.catch(() => undefined);
      return result;
    },
    close() {
      if (handle.isOpen) handle.close();
      return Promise.resolve();
    },
  };
}
