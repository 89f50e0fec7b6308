/**
 * SQLite through Deno's built-in `node:sqlite`: WAL mode, so the Python writers and our readers do
 * not block each other, and a short busy timeout with retries between which the server runs on:
 * another program's lock never freezes it. A write that cannot get the lock within
 * {@linkcode LOCK_WAIT_MS} is answered "busy"; a full disk and a read-only file are named too.
 * @module
 */
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import type { DatabaseTarget } from "../lib/config.ts";
import {
  DatabaseUnavailableError,
  type Db,
  type DbProblem,
  type Dialect,
  type Executor,
  isTimeParam,
  type Param,
  type ReadOptions,
  UNKNOWN_INFO,
} from "./connection.ts";
import { SqliteReaders } from "./sqlite_readers.ts";

/** The SQLite dialect. */
const sqliteDialect: Dialect = {
  name: "sqlite",
  page(limit, offset) {
    return ` LIMIT ${checkedInt(limit)} OFFSET ${checkedInt(offset)}`;
  },
  firstRows(select, limit) {
    return `${select} LIMIT ${checkedInt(limit)}`;
  },
  day(column) {
    return `substr(${column}, 1, 10)`;
  },
  rowKey: "rowid",
  mergesRanges: true,
};

/** Asserts a paging number is a safe non-negative integer before it goes into SQL text. */
export function checkedInt(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`Cannot page: ${n} is not a row count`);
  return n;
}

function bind(params: Param[]): SQLInputValue[] {
  return params.map((p) => isTimeParam(p) ? p.time : typeof p === "boolean" ? (p ? 1 : 0) : p);
}

/**
 * SQLite's result codes that mean the database cannot serve the request now, with the text
 * `sqlite3_errstr()` gives each: Deno's `node:sqlite` sets no `errcode`, only that message.
 */
const PROBLEMS: [code: number, text: string, problem: DbProblem][] = [
  [5, "database is locked", "busy"], // SQLITE_BUSY
  [6, "database table is locked", "busy"], // SQLITE_LOCKED
  [8, "attempt to write a readonly database", "read-only"], // SQLITE_READONLY
  [13, "database or disk is full", "full"], // SQLITE_FULL
  [10, "disk I/O error", "unreachable"], // SQLITE_IOERR
  [11, "database disk image is malformed", "unreachable"], // SQLITE_CORRUPT
  [14, "unable to open database file", "unreachable"], // SQLITE_CANTOPEN
  [26, "file is not a database", "unreachable"], // SQLITE_NOTADB
];

/** The problem an SQLite error stands for, by its code or, where that is unset, its text. */
function sqliteProblem(error: unknown): DbProblem | null {
  const code = (error as { errcode?: number }).errcode;
  const message = error instanceof Error ? error.message : "";
  const found = PROBLEMS.find(([c, text]) =>
    code !== undefined ? (code & 0xff) === c : message.startsWith(text)
  );
  return found?.[2] ?? null;
}

/** What the banner says, by problem; a write adds that nothing was changed. */
function problemMessage(
  problem: DbProblem,
  { detail, write }: { detail: string; write: boolean },
): string {
  const outcome = write ? "nothing was changed" : "try again in a moment";
  switch (problem) {
    case "busy":
      return `The database is busy (another program is writing); ${outcome}.`;
    case "full":
      return `The database's disk is full; ${outcome}.`;
    case "read-only":
      return `The database is read-only (check the file's permissions); ${outcome}.`;
    default:
      return `The database cannot be reached: ${detail}`;
  }
}

/** Maps an SQLite error that means "cannot serve this now" to `DatabaseUnavailableError`. */
function asUnavailable(error: unknown, write = false): unknown {
  const problem = sqliteProblem(error);
  if (!problem) return error;
  return new DatabaseUnavailableError(
    problemMessage(problem, { detail: (error as Error).message, write }),
    { cause: error, problem },
  );
}

/** The longest one statement may block the event loop waiting for another program's lock. */
const BUSY_TIMEOUT_MS = 20;
/** How many prepared statements a connection keeps (the app has a few hundred distinct ones). */
const STATEMENT_CACHE_SIZE = 500;
/** How long a request waits (without blocking the server) for a lock before it gives up. */
const LOCK_WAIT_MS = 5000;

/**
 * Runs a synchronous SQLite step, retrying while another program holds the lock: each try
 * blocks at most {@linkcode BUSY_TIMEOUT_MS}, the waits between tries let other requests run, and
 * after `deadline` the busy error is thrown.
 */
async function whenUnlocked<T>(step: () => T, deadline: number): Promise<T> {
  for (let delay = 5;; delay = Math.min(delay * 2, 100)) {
    try {
      return step();
    } catch (error) {
      if (sqliteProblem(error) !== "busy" || Date.now() + delay > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * What tells one file from another at the same path (a backup restored or a copy renamed over
 * it is another file); null while there is none.
 */
function fileIdentity(path: string): string | null {
  try {
    const info = Deno.statSync(path);
    return `${info.dev}:${info.ino}:${info.birthtime?.getTime()}`;
  } catch {
    return null;
  }
}

/**
 * Moves aside the `-wal` and `-shm` of the file that stood at `path` before: SQLite keeps them
 * when a file is moved away while open, and the new file would read the old file's pages from
 * them. `oldWal` is the `-wal`'s identity seen while the old file was there; a `-wal` that came
 * with the new file is another one and stays. Set aside renamed, never deleted.
 */
function setAsideStaleJournal(path: string, oldWal: string | null): void {
  if (oldWal === null || fileIdentity(`${path}-wal`) !== oldWal) return;
  const stamp = new Date().toISOString().replace(/[-:]/g, "").slice(0, 15);
  for (const suffix of ["-wal", "-shm"]) {
    try {
      Deno.renameSync(`${path}${suffix}`, `${path}${suffix}.replaced-${stamp}`);
    } catch {
      // no -shm: nothing to move
    }
  }
}

/** A prepared statement and the names of its result's columns, in order. */
type Prepared = { statement: StatementSync; names: string[] };

/** A statement as Deno's `node:sqlite` has it: its types lack `setReturnArrays` (Node 24). */
type ArrayStatement = StatementSync & { setReturnArrays(enabled: boolean): void };

/** Prepares a statement whose rows come as arrays (see {@linkcode rowsOf}). */
function prepare(handle: DatabaseSync, sql: string): Prepared {
  const statement = handle.prepare(sql) as ArrayStatement;
  const names = statement.columns().map((column) => column.name);
  if (names.length > 0) statement.setReturnArrays(true);
  return { statement, names };
}

/**
 * A statement's rows as objects keyed by column name (a later column of the same name wins, as
 * in `node:sqlite`'s own). The rows come as arrays and the objects are made here: `node:sqlite`'s
 * objects took half as long again to make (1.5 against 1.0 ms for 1,000 triggers) and to read.
 */
function rowsOf<T>(prepared: Prepared, params: SQLInputValue[]): T[] {
  const { statement, names } = prepared;
  const rows = statement.all(...params) as unknown as unknown[][];
  const objects = new Array<T>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    const object: Record<string, unknown> = {};
    for (let j = 0; j < names.length; j++) object[names[j]] = row[j];
    objects[i] = object as T;
  }
  return objects;
}

/** The statements a reader may answer: reads (a `WITH` that writes is not used). */
const READ = /^\s*(SELECT|WITH)\b/i;

/**
 * Opens an SQLite file (creating it when `create` is set) in WAL mode with a busy timeout.
 * @param target the file to open
 * @param options.readers answer top-level scans (reads asked with `{ scan: true }`) on up to this
 *   many reader Workers, each with its own connection (see `sqlite_readers.ts`), so a slow read
 *   never blocks this thread. Quick reads stay here: a page's index range costs less than the
 *   trip to a Worker and back. Writes, transactions and the reads inside them stay on this
 *   thread's connection too. Default 0: every statement here (scripts, most tests).
 * @param options.readTimeoutMs how long a reader's read may take (default: as on SQL Server)
 */
export function openSqlite(
  target: Extract<DatabaseTarget, { kind: "sqlite" }>,
  options: { create?: boolean; readOnly?: boolean; readers?: number; readTimeoutMs?: number } = {},
): Db {
  const open = (): DatabaseSync => {
    let opened: DatabaseSync;
    try {
      if (!options.create) Deno.statSync(target.path);
      opened = new DatabaseSync(target.path, { readOnly: options.readOnly ?? false });
    } catch (error) {
      throw new DatabaseUnavailableError(
        `Cannot open the SQLite database ${target.path}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    opened.exec(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (!options.readOnly) opened.exec("PRAGMA journal_mode = WAL");
    opened.exec("PRAGMA foreign_keys = ON");
    return opened;
  };
  let handle = open();
  /**
   * The statements prepared on `handle`, by their text: a page runs the same few statements
   * again and again, and preparing one cost 4 % of a page view. Emptied when the handle changes.
   */
  const statements = new Map<string, Prepared>();
  const prepared = (sql: string): Prepared => {
    let statement = statements.get(sql);
    if (!statement) {
      // Statements are built from fixed text, but a caller could build many: bound the cache.
      if (statements.size >= STATEMENT_CACHE_SIZE) statements.clear();
      statement = prepare(handle, sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  let identity = fileIdentity(target.path);
  /** The `-wal` seen with this file at the last check (see `setAsideStaleJournal`). */
  let wal = fileIdentity(`${target.path}-wal`);

  /** A full disk is only seen by a write: remembered until a write succeeds. */
  let lastFull: DatabaseUnavailableError | null = null;
  const wrote = <T>(value: T): T => {
    lastFull = null;
    return value;
  };
  const failed = (error: unknown, write: boolean): unknown => {
    const mapped = asUnavailable(error, write);
    if (mapped instanceof DatabaseUnavailableError && mapped.problem === "full") lastFull = mapped;
    return mapped;
  };

  /** Statements: each waits for another program's lock without blocking the server. */
  function executor(deadline: () => number): Executor {
    return {
      dialect: sqliteDialect,
      async query<T>(sql: string, params: Param[] = []) {
        try {
          return await whenUnlocked(
            () => rowsOf<T>(prepared(sql), bind(params)),
            deadline(),
          );
        } catch (error) {
          throw failed(error, false);
        }
      },
      async run(sql: string, params: Param[] = []) {
        try {
          const changes = await whenUnlocked(
            () => Number(prepared(sql).statement.run(...bind(params)).changes),
            deadline(),
          );
          return handle.isTransaction ? changes : wrote(changes);
        } catch (error) {
          throw failed(error, true);
        }
      },
    };
  }

  // node:sqlite is synchronous on one connection: transactions are serialized so that two
  // requests never interleave statements inside one BEGIN … COMMIT.
  let queue: Promise<unknown> = Promise.resolve();

  const here = executor(() => Date.now() + LOCK_WAIT_MS);
  let readers: SqliteReaders | null = null;
  /** Set while `reopen()` closes the readers and swaps the file: reads wait for it. */
  let reopening: Promise<void> | null = null;
  const closeReaders = async () => {
    await readers?.close();
    readers = null;
  };

  return {
    ...here,
    async query<T>(sql: string, params: Param[] = [], read: ReadOptions = {}) {
      if (options.readers && read.scan && READ.test(sql)) {
        await reopening;
        if (handle.isOpen) {
          readers ??= new SqliteReaders(target, {
            size: options.readers,
            timeoutMs: options.readTimeoutMs,
          });
          return readers.query<T>(sql, params, { signal: read.signal });
        }
      }
      return here.query<T>(sql, params);
    },
    target,
    info: { ...UNKNOWN_INFO },
    transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
      // The wait for the lock counts from the request, not from its turn in the queue.
      const deadline = Date.now() + LOCK_WAIT_MS;
      const result = queue.then(async () => {
        try {
          await whenUnlocked(() => handle.exec("BEGIN IMMEDIATE"), deadline);
        } catch (error) {
          throw failed(error, true);
        }
        try {
          const value = await fn(executor(() => deadline));
          await whenUnlocked(() => handle.exec("COMMIT"), deadline);
          return wrote(value);
        } catch (error) {
          if (handle.isTransaction) handle.exec("ROLLBACK");
          throw failed(error, true);
        }
      });
      queue = result.catch(() => undefined);
      return result;
    },
    writeProblem() {
      if (lastFull || handle.isTransaction) return Promise.resolve(lastFull);
      try {
        handle.exec("BEGIN IMMEDIATE");
        handle.exec("ROLLBACK");
        return Promise.resolve(null);
      } catch (error) {
        const mapped = asUnavailable(error, true);
        if (mapped instanceof DatabaseUnavailableError) return Promise.resolve(mapped);
        return Promise.reject(error);
      }
    },
    fileReplaced() {
      const now = fileIdentity(target.path);
      if (now !== identity) return now !== null;
      wal = fileIdentity(`${target.path}-wal`);
      return false;
    },
    async reopen() {
      let reopened!: () => void;
      reopening = new Promise((resolve) => reopened = resolve);
      try {
        await closeReaders();
        statements.clear();
        if (handle.isOpen) handle.close();
        setAsideStaleJournal(target.path, wal);
        handle = open();
        identity = fileIdentity(target.path);
        wal = fileIdentity(`${target.path}-wal`);
      } finally {
        reopening = null;
        reopened();
      }
    },
    async close() {
      await closeReaders();
      statements.clear();
      if (handle.isOpen) handle.close();
    },
  };
}
