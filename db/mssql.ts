/**
 * SQL Server through `npm:mssql`: tedious for SQL and NTLM logins, msnodesqlv8 (ODBC) for
 * Windows integrated security and DSNs. Naive times are bound and read by their UTC components
 * (`useUTC: true`), so a wall-clock time in a DST gap round-trips exactly in any zone. VARCHAR
 * parameters (NVARCHAR would turn indexed lookups on VARCHAR columns into scans). A pool that
 * reconnects by itself after an outage and never crashes the process with an `error` event.
 * @module
 */
// @ts-types="npm:@types/mssql@12.3.0"
import sql from "mssql";
import type { MssqlTarget } from "../lib/config.ts";
import { escapeControls } from "../lib/log.ts";
import { dateToTime, timeToDate } from "../lib/time.ts";
import {
  DatabaseUnavailableError,
  type Db,
  type Dialect,
  type Executor,
  isTimeParam,
  PAGE_REQUEST_TIMEOUT_MS,
  type Param,
  queryTimedOut,
  QueryTimeoutError,
  UNKNOWN_INFO,
} from "./connection.ts";
import { checkedInt } from "./sqlite.ts";

/** The SQL Server dialect. */
export const mssqlDialect: Dialect = {
  name: "mssql",
  page(limit, offset) {
    return ` OFFSET ${checkedInt(offset)} ROWS FETCH NEXT ${checkedInt(limit)} ROWS ONLY`;
  },
  firstRows(select, limit) {
    return select.replace(/^SELECT /, `SELECT TOP (${checkedInt(limit)}) `);
  },
  day(column) {
    return `CONVERT(char(10), ${column}, 23)`;
  },
  rowKey: "id",
  mergesRanges: false,
};

/** Pool options: scripts (`db:optimize --apply`, clonedb) run with no request timeout. */
export type PoolOptions = { script?: boolean };

/** Builds the tedious pool configuration for a target (SQL or NTLM login). */
export function poolConfig(target: MssqlTarget, options: PoolOptions = {}): sql.config {
  const { domain, user, password = "" } = target;
  return {
    server: target.server,
    port: target.port,
    database: target.database,
    ...(domain && user
      ? { authentication: { type: "ntlm", options: { domain, userName: user, password } } }
      : { user, password }),
    options: {
      encrypt: target.encrypt,
      trustServerCertificate: target.trustServerCertificate,
      instanceName: target.instance,
      useUTC: true,
      enableArithAbort: true,
    },
    pool: { max: 10, min: 0, idleTimeoutMillis: 30_000 },
    connectionTimeout: 10_000,
    // tedious: 0 is no timeout.
    requestTimeout: options.script ? 0 : PAGE_REQUEST_TIMEOUT_MS,
  };
}

/**
 * The msnodesqlv8 pool configuration: the ODBC connection string the Python side uses (so the
 * driver it names, and that driver's Encrypt/TrustServerCertificate defaults).
 */
export function odbcConfig(target: MssqlTarget, options: PoolOptions = {}): sql.config {
  return {
    ...poolConfig(target, options),
    driver: "msnodesqlv8",
    connectionString: target.odbc,
    options: { trustedConnection: target.trusted, useUTC: true },
  } as sql.config;
}

/**
 * True when a target logs in through ODBC (integrated security, a DSN, or an `Authentication=`
 * mode such as Entra ID) rather than through tedious with a SQL or NTLM login.
 */
export function usesOdbc(target: MssqlTarget): boolean {
  return target.trusted || target.dsn !== undefined ||
    /(^|;)\s*authentication\s*=/i.test(target.odbc);
}

/** What `bindParams` needs of a request (so the binding can be recorded in tests). */
export type Binder = { input(name: string, type: unknown, value: unknown): unknown };

/**
 * Binds a statement's `?` parameters as `@p0…` with their SQL Server types; returns the text
 * with the placeholders renamed.
 */
export function bindParams(
  request: Binder,
  statement: { text: string; params: Param[] },
): string {
  const { text, params } = statement;
  params.forEach((p, i) => {
    const name = `p${i}`;
    if (isTimeParam(p)) request.input(name, sql.DateTime, timeToDate(p.time));
    else if (typeof p === "boolean") request.input(name, sql.Bit, p);
    else if (typeof p === "number") {
      request.input(name, Number.isInteger(p) ? sql.BigInt : sql.Float, p);
    } else {
      request.input(
        name,
        p !== null && p.length > 8000 ? sql.VarChar(sql.MAX) : sql.VarChar(8000),
        p,
      );
    }
  });
  let i = 0;
  return text.replace(/\?/g, () => `@p${i++}`);
}

function normalizeRow(row: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(row)) {
    if (v instanceof Date) row[k] = dateToTime(v);
  }
  return row;
}

type DriverError = {
  name?: string;
  code?: string;
  number?: number;
  originalError?: { info?: { number?: number } };
};

/**
 * True when an error means the server cannot be reached. tedious says `ETIMEOUT` both for a
 * connect that timed out (a `ConnectionError`) and for a slow query (a `RequestError`): only
 * the first is an outage.
 */
export function isOutage(error: unknown): boolean {
  const e = error as DriverError;
  if (e.name === "ConnectionError") return true;
  return ["ESOCKET", "ECONNCLOSED", "ENOTOPEN", "ELOGIN", "EINSTLOOKUP"].includes(e.code ?? "");
}

/** True for a statement cancelled by the request timeout. */
export function isQueryTimeout(error: unknown): boolean {
  const e = error as DriverError;
  return e.code === "ETIMEOUT" && e.name !== "ConnectionError";
}

/** True when SQL Server chose this statement as a deadlock victim (error 1205). */
function isDeadlock(error: unknown): boolean {
  const e = error as DriverError;
  return e.number === 1205 || e.originalError?.info?.number === 1205;
}

/** Runs `fn`, and once more when it was a deadlock victim (the other side has then finished). */
export async function retryDeadlockOnce<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!isDeadlock(error)) throw error;
    return await fn();
  }
}

/** How the target is named in messages: the server (and instance) or the DSN, and the database. */
function describeTarget(target: MssqlTarget): string {
  if (target.dsn) return `the ODBC data source ${target.dsn}`;
  const server = target.instance ? `${target.server}\\${target.instance}` : target.server;
  return `SQL Server ${server}${
    target.port ? `,${target.port}` : ""
  } (database ${target.database})`;
}

function mapError(target: MssqlTarget, error: unknown): unknown {
  if (error instanceof DatabaseUnavailableError || error instanceof QueryTimeoutError) return error;
  const message = (error as Error).message;
  if (isOutage(error)) {
    return new DatabaseUnavailableError(
      `The database cannot be reached: ${describeTarget(target)}: ${message}`,
      { cause: error },
    );
  }
  if (isQueryTimeout(error)) {
    return queryTimedOut(PAGE_REQUEST_TIMEOUT_MS, { cause: error });
  }
  return error;
}

function executorOver(
  target: MssqlTarget,
  makeRequest: () => Promise<sql.Request>,
): Executor {
  async function send(text: string, params: Param[]) {
    try {
      const request = await makeRequest();
      return await request.query(bindParams(request, { text, params }));
    } catch (error) {
      throw mapError(target, error);
    }
  }
  return {
    dialect: mssqlDialect,
    async query<T>(text: string, params: Param[] = []) {
      return (await send(text, params)).recordset.map(normalizeRow) as T[];
    },
    async run(text: string, params: Param[] = []) {
      return (await send(text, params)).rowsAffected.reduce((a: number, b: number) => a + b, 0);
    },
  };
}

/**
 * Loads mssql's msnodesqlv8 driver (ODBC) for Windows integrated security and DSNs. The import
 * is a literal, so the package and its prebuilt native addon are part of the module graph and
 * of `deno compile`'s executable.
 */
export async function loadOdbcDriver(): Promise<typeof sql> {
  try {
    // mssql requires msnodesqlv8 without declaring it: load (and pin) it first, by name.
    await import("msnodesqlv8");
    return (await import("mssql/msnodesqlv8.js")).default as typeof sql;
  } catch (error) {
    throw new DatabaseUnavailableError(
      "Cannot log in with Windows integrated security: the msnodesqlv8 ODBC driver did not " +
        `load (${(error as Error).message.split("\n")[0]}). Install the Microsoft ODBC Driver ` +
        "for SQL Server, or use a SQL login (User Id=…;Password=…).",
      { cause: error },
    );
  }
}

/** A connected pool and the driver module it came from (requests must use the same one). */
type Connection = { driver: typeof sql; pool: sql.ConnectionPool };

/**
 * Makes a pool that never takes the process down: an `error` event the driver emits on the
 * pool (node-mssql #554, #849) is logged, and the pool reconnects on the next request.
 */
export function newPool(driver: typeof sql, config: sql.config): sql.ConnectionPool {
  const pool = new driver.ConnectionPool(config);
  pool.on("error", (error: Error) => {
    console.error(
      escapeControls(`SQL Server pool error (the next request reconnects): ${error.message}`),
    );
  });
  return pool;
}

async function connect(target: MssqlTarget, options: PoolOptions): Promise<Connection> {
  if (usesOdbc(target)) {
    const driver = await loadOdbcDriver();
    return { driver, pool: await newPool(driver, odbcConfig(target, options)).connect() };
  }
  return { driver: sql, pool: await newPool(sql, poolConfig(target, options)).connect() };
}

/**
 * Opens a SQL Server pool. The first connection is made lazily, and a failed connect is tried
 * again on the next request, so the app starts (with a banner) while the server is down. Ids are
 * GUIDs from the start, whether or not the server answered yet.
 */
export function openMssql(target: MssqlTarget, options: PoolOptions = {}): Db {
  let connection: Promise<Connection> | null = null;
  function connected(): Promise<Connection> {
    connection ??= connect(target, options).catch((error: unknown) => {
      connection = null;
      throw mapError(target, error);
    });
    return connection;
  }
  const executor = executorOver(target, async () => {
    const { driver, pool } = await connected();
    return new driver.Request(pool);
  });
  async function transactionOnce<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
    const { driver, pool } = await connected();
    const tx = new driver.Transaction(pool);
    try {
      await tx.begin();
    } catch (error) {
      throw mapError(target, error);
    }
    try {
      const value = await fn(
        executorOver(target, () => Promise.resolve(new driver.Request(tx))),
      );
      await tx.commit();
      return value;
    } catch (error) {
      await tx.rollback().catch(() => undefined);
      throw error;
    }
  }
  return {
    dialect: mssqlDialect,
    query<T>(text: string, params?: Param[]) {
      return retryDeadlockOnce(() => executor.query<T>(text, params));
    },
    run(text: string, params?: Param[]) {
      return retryDeadlockOnce(() => executor.run(text, params));
    },
    target,
    info: { ...UNKNOWN_INFO, name: target.database, idFormat: "guid" },
    async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
      try {
        return await retryDeadlockOnce(() => transactionOnce(fn));
      } catch (error) {
        throw mapError(target, error);
      }
    },
    async close() {
      if (connection) await (await connection.catch(() => null))?.pool.close();
      connection = null;
    },
  };
}
