/**
 * SQL Server through `npm:mssql` (tedious): local-time dates (`useUTC: false`), VARCHAR
 * parameters (NVARCHAR would turn indexed lookups on VARCHAR columns into scans), a pool that
 * reconnects by itself after an outage.
 * @module
 */
// @ts-types="npm:@types/mssql@12.3.0"
import sql from "mssql";
import type { DatabaseTarget } from "../lib/config.ts";
import { formatDbTime, parseDbTime } from "../lib/time.ts";
import {
  DatabaseUnavailableError,
  type Db,
  type Dialect,
  type Executor,
  isTimeParam,
  type Param,
  UNKNOWN_INFO,
} from "./connection.ts";
import { checkedInt } from "./sqlite.ts";

type MssqlTarget = Extract<DatabaseTarget, { kind: "mssql" }>;

/** The SQL Server dialect. */
export const mssqlDialect: Dialect = {
  name: "mssql",
  page(limit, offset) {
    return ` OFFSET ${checkedInt(offset)} ROWS FETCH NEXT ${checkedInt(limit)} ROWS ONLY`;
  },
};

/** Builds the `mssql` pool configuration for a target. */
export function poolConfig(target: MssqlTarget): sql.config {
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
      useUTC: false,
      enableArithAbort: true,
    },
    pool: { max: 10, min: 0, idleTimeoutMillis: 30_000 },
    connectionTimeout: 10_000,
    requestTimeout: 30_000,
  };
}

function bindAll(request: sql.Request, text: string, params: Param[]): string {
  params.forEach((p, i) => {
    const name = `p${i}`;
    if (isTimeParam(p)) request.input(name, sql.DateTime, parseDbTime(p.time));
    else if (typeof p === "boolean") request.input(name, sql.Bit, p);
    else if (typeof p === "number") {
      request.input(name, Number.isInteger(p) ? sql.BigInt : sql.Float, p);
    } else {request.input(
        name,
        p !== null && p.length > 8000 ? sql.VarChar(sql.MAX) : sql.VarChar(8000),
        p,
      );}
  });
  let i = 0;
  return text.replace(/\?/g, () => `@p${i++}`);
}

function normalizeRow(row: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(row)) {
    if (v instanceof Date) row[k] = formatDbTime(v);
  }
  return row;
}

function isConnectionError(error: unknown): boolean {
  const e = error as { name?: string; code?: string };
  return e.name === "ConnectionError" ||
    ["ESOCKET", "ETIMEOUT", "ECONNCLOSED", "ENOTOPEN", "ELOGIN", "EINSTLOOKUP"].includes(
      e.code ?? "",
    );
}

function mapError(error: unknown): unknown {
  return isConnectionError(error)
    ? new DatabaseUnavailableError(
      `The database cannot be reached: ${(error as Error).message}`,
      { cause: error },
    )
    : error;
}

function executorOver(makeRequest: () => Promise<sql.Request>): Executor {
  return {
    dialect: mssqlDialect,
    async query<T>(text: string, params: Param[] = []) {
      try {
        const request = await makeRequest();
        const result = await request.query(bindAll(request, text, params));
        return result.recordset.map(normalizeRow) as T[];
      } catch (error) {
        throw mapError(error);
      }
    },
    async run(text: string, params: Param[] = []) {
      try {
        const request = await makeRequest();
        const result = await request.query(bindAll(request, text, params));
        return result.rowsAffected.reduce((a: number, b: number) => a + b, 0);
      } catch (error) {
        throw mapError(error);
      }
    },
  };
}

/** What Windows integrated security needs, and what to use where it cannot be had. */
const NO_INTEGRATED =
  "Cannot log in to SQL Server with Windows integrated security: the msnodesqlv8 driver is " +
  "not installed for this app (a compiled executable never carries it). Use a SQL login " +
  "(User Id=…;Password=…) or NTLM with domain credentials (User Id=DOMAIN\\user;Password=…).";

/**
 * Loads mssql's msnodesqlv8 driver for Windows integrated security, or null where the native
 * module is not installed. The specifier is computed so the optional driver never enters the
 * module graph (or the compiled executable).
 */
async function integratedDriver(): Promise<typeof sql | null> {
  const specifier = ["mssql", "msnodesqlv8"].join("/");
  try {
    return (await import(specifier)).default as typeof sql;
  } catch {
    return null;
  }
}

/** The pool configuration for Windows integrated security through msnodesqlv8. */
function integratedConfig(target: MssqlTarget): sql.config {
  return {
    ...poolConfig(target),
    driver: "msnodesqlv8",
    options: {
      trustedConnection: true,
      encrypt: target.encrypt,
      trustServerCertificate: target.trustServerCertificate,
      instanceName: target.instance,
      useUTC: false,
    },
  };
}

/** A connected pool and the driver module it came from (requests must use the same one). */
type Connection = { driver: typeof sql; pool: sql.ConnectionPool };

async function connect(target: MssqlTarget): Promise<Connection> {
  const driver = target.trusted ? await integratedDriver() : sql;
  if (!driver) throw new DatabaseUnavailableError(NO_INTEGRATED);
  const config = target.trusted ? integratedConfig(target) : poolConfig(target);
  return { driver, pool: await new driver.ConnectionPool(config).connect() };
}

/**
 * Opens a SQL Server pool. The first connection is made lazily, and a failed connect is tried
 * again on the next request, so the app starts (with a banner) while the server is down.
 */
export function openMssql(target: MssqlTarget): Db {
  let connection: Promise<Connection> | null = null;
  function connected(): Promise<Connection> {
    connection ??= connect(target).catch((error: unknown) => {
      connection = null;
      throw mapError(error);
    });
    return connection;
  }
  const executor = executorOver(async () => {
    const { driver, pool } = await connected();
    return new driver.Request(pool);
  });
  return {
    ...executor,
    target,
    info: { ...UNKNOWN_INFO },
    async transaction<T>(fn: (tx: Executor) => Promise<T>): Promise<T> {
      const { driver, pool } = await connected();
      const tx = new driver.Transaction(pool);
      try {
        await tx.begin();
      } catch (error) {
        throw mapError(error);
      }
      try {
        const value = await fn(executorOver(() => Promise.resolve(new driver.Request(tx))));
        await tx.commit();
        return value;
      } catch (error) {
        await tx.rollback().catch(() => undefined);
        throw mapError(error);
      }
    },
    async close() {
      if (connection) await (await connection.catch(() => null))?.pool.close();
      connection = null;
    },
  };
}
