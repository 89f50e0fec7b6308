/**
 * The database interface the app sees: one small executor over SQLite or SQL Server, one dialect
 * object for what differs, and the capabilities found at connect.
 * @module
 */
import type { DatabaseTarget } from "../lib/config.ts";

/** A time parameter: a stored time string, bound as DATETIME where the engine has one. */
export type TimeParam = { time: string };

/** A value bound to a `?` placeholder. */
export type Param = string | number | boolean | null | TimeParam;

/** A result row keyed by column name. Times come back as stored-time strings. */
export type Row = Record<string, unknown>;

/** What differs between the engines, in the few places queries need it. */
export type Dialect = {
  readonly name: "sqlite" | "mssql";
  /** The paging clause after an ORDER BY. */
  page(limit: number, offset: number): string;
  /**
   * A `SELECT …` limited to its first `limit` rows in no particular order (SQLite `LIMIT`, SQL
   * Server `TOP`), for batches: no ORDER BY, so no sort of every matching row per batch.
   */
  firstRows(select: string, limit: number): string;
};

/** How the database spells ids. */
export type IdFormat = "hex" | "dashed-upper" | "dashed-lower" | "guid";

/** What the connected database is and can do, found at connect. */
export type DbInfo = {
  /** A short name to show: the file name or the SQL Server database name. */
  name: string;
  /** The alembic revision, or null when the table is missing. */
  revision: string | null;
  /** The tables of the shared schema that are missing. */
  missingTables: string[];
  /** `Triggers.git_branch` exists. */
  gitBranch: boolean;
  /** Trigger statuses `KILLING`/`KILLED` are known to the Python side. */
  killing: boolean;
  /** The 3.0 `Jobs` table exists. */
  jobs: boolean;
  /** How ids are written. */
  idFormat: IdFormat;
};

/** Runs statements. Both the connection and a transaction are executors. */
export type Executor = {
  readonly dialect: Dialect;
  /** Runs a query and returns its rows. */
  query<T = Row>(sql: string, params?: Param[]): Promise<T[]>;
  /** Runs a statement and returns how many rows it changed. */
  run(sql: string, params?: Param[]): Promise<number>;
};

/** An open database. */
export type Db = Executor & {
  readonly target: DatabaseTarget;
  /** Capabilities, set by `detect()` at connect and after an init. */
  info: DbInfo;
  /** Runs `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T>;
  /** Closes the connection or pool. */
  close(): Promise<void>;
};

/** An error that means the database cannot be reached (as opposed to a bad statement). */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "DatabaseUnavailableError";
  }
}

/**
 * The most rows one bulk statement changes: below the ~5,000 locks at which SQL Server
 * escalates to a table lock (and the robots stall on `Queues` and `Logs`).
 */
export const BATCH_ROWS = 4_000;

/** A statement the database did not finish in time: not an outage, and worth trying again. */
export class QueryTimeoutError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "QueryTimeoutError";
  }
}

/** Binds a stored time as a time parameter. */
export function time(value: string): TimeParam {
  return { time: value };
}

/** True for a time parameter. */
export function isTimeParam(value: Param): value is TimeParam {
  return typeof value === "object" && value !== null;
}

/** Placeholder capabilities until `detect()` has run. */
export const UNKNOWN_INFO: DbInfo = {
  name: "",
  revision: null,
  missingTables: [],
  gitBranch: false,
  killing: false,
  jobs: false,
  idFormat: "hex",
};

/** The database's reachability, shared by every request and the poller. */
export type Health = { outage: string | null };
