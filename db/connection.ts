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
  /** The date part (`YYYY-MM-DD`) of a stored time column, as text. */
  day(column: string): string;
  /**
   * The cheapest column to find a row again by: SQLite's `rowid` (the table's own b-tree key),
   * SQL Server's `id` (the primary key).
   */
  readonly rowKey: "rowid" | "id";
  /**
   * A `UNION ALL` of index ranges with one `ORDER BY … LIMIT` is read as a merge of the ranges in
   * order that stops at the limit (SQLite). Without it (SQL Server) each range is limited first.
   */
  readonly mergesRanges: boolean;
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

/** How a read may be answered. */
export type ReadOptions = {
  /**
   * The read may go through many rows (a text search, a history over weeks): on SQLite it runs
   * on a reader Worker, so it never holds up the server's thread. Other reads are quick (an index
   * range of a page) and run where they are asked.
   */
  scan?: boolean;
  /**
   * Aborts when whoever asked has gone (the browser closed the request, say because the next
   * keystroke replaced it): a scan still waiting for a reader is dropped with
   * {@linkcode ReadCancelledError} instead of running for nobody.
   */
  signal?: AbortSignal;
};

/** A read dropped before it ran: the request that asked for it was closed. */
export class ReadCancelledError extends Error {
  constructor() {
    super("Cannot read: the request was closed before its turn");
    this.name = "ReadCancelledError";
  }
}

/** Runs statements. Both the connection and a transaction are executors. */
export type Executor = {
  readonly dialect: Dialect;
  /** Runs a query and returns its rows. */
  query<T = Row>(sql: string, params?: Param[], options?: ReadOptions): Promise<T[]>;
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
  /**
   * Whether a write could be made now, without making one: null, or the error a write would
   * meet (busy, read-only, or a full disk that failed the last write). Engines that cannot
   * tell leave it out.
   */
  writeProblem?(): Promise<DatabaseUnavailableError | null>;
  /**
   * True when another file now stands at the database's path (restored from a backup, renamed
   * over it). Engines without a file leave it and {@linkcode Db.reopen} out.
   */
  fileReplaced?(): boolean;
  /**
   * Closes the connection and opens the file at the path again. Close every other connection of
   * ours to the old file first: the last one to close removes the old file's `-wal`, which the
   * new file must not read.
   */
  reopen?(): Promise<void>;
};

/**
 * Why the database cannot do what was asked: it cannot be reached, or it can be read but not
 * written now (another program holds the write lock, the disk is full, the file is read-only).
 */
export type DbProblem = "unreachable" | "busy" | "full" | "read-only";

/**
 * An error that means the database cannot serve the request (as opposed to a bad statement):
 * answered with 503 and the banner, and cleared by itself when the database recovers.
 */
export class DatabaseUnavailableError extends Error {
  /** What kind of trouble: the banner and `/healthz` name it. */
  readonly problem: DbProblem;

  constructor(message: string, options?: ErrorOptions & { problem?: DbProblem }) {
    super(message, options);
    this.name = "DatabaseUnavailableError";
    this.problem = options?.problem ?? "unreachable";
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

/** How long a page's statement may run before it ends with {@linkcode QueryTimeoutError}. */
export const PAGE_REQUEST_TIMEOUT_MS = 30_000;

/** The error of a page's statement that ran past `timeoutMs`, as both engines word it. */
export function queryTimedOut(
  timeoutMs: number = PAGE_REQUEST_TIMEOUT_MS,
  options?: ErrorOptions,
): QueryTimeoutError {
  return new QueryTimeoutError(
    `Cannot finish the query: the database did not answer within ${timeoutMs / 1000} s. ` +
      "Try again, or narrow the filter.",
    options,
  );
}

/** A failure sent across a Worker boundary: its message, and its problem when it is an outage. */
export type ErrorReply = { ok: false; message: string; problem: DbProblem | null };

/** What a Worker sends back for an error it met. */
export function errorReply(error: unknown): ErrorReply {
  return {
    ok: false,
    message: (error as Error).message,
    problem: error instanceof DatabaseUnavailableError ? error.problem : null,
  };
}

/** The error a Worker's {@linkcode errorReply} stands for, on this side of the boundary. */
export function replyError(reply: ErrorReply): Error {
  return reply.problem
    ? new DatabaseUnavailableError(reply.message, { problem: reply.problem })
    : new Error(reply.message);
}

/** Records in `health` what the database's last answer says: trouble (the banner), or none. */
export function noteHealth(health: Health, trouble: DatabaseUnavailableError | null): void {
  health.outage = trouble?.message ?? null;
  health.problem = trouble?.problem ?? null;
}

/**
 * Checks the database as the banner and `/healthz` report it: it answers a read, and a write could
 * be made now. Records the result in `health` and returns it.
 */
export async function checkHealth(
  db: Db,
  { health, read }: { health: Health; read: () => Promise<unknown> },
): Promise<Health> {
  try {
    await read();
    noteHealth(health, (await db.writeProblem?.()) ?? null);
  } catch (error) {
    if (!(error instanceof DatabaseUnavailableError)) throw error;
    noteHealth(health, error);
  }
  return health;
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
export type Health = {
  /** The banner's message while the database cannot serve requests, else null. */
  outage: string | null;
  /** The kind of the current outage (null or missing while there is none). */
  problem?: DbProblem | null;
  /** Something the admins should know that is no outage (the file was replaced and reopened). */
  notice?: string | null;
};

/**
 * Lets waiting requests run between the reads of a long aggregate: `node:sqlite` is synchronous,
 * so one long read would hold every request up.
 */
export function pause(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
