/**
 * Opens the configured database, on either engine, and detects what it is.
 * @module
 */
import type { DatabaseTarget } from "../lib/config.ts";
import type { Db } from "./connection.ts";
import { openMssql } from "./mssql.ts";
import { detect } from "./schema.ts";
import { openSqlite } from "./sqlite.ts";

/**
 * Opens a database. SQLite files must exist unless `create` is set (the embedded default);
 * a SQL Server that is down still gives a `Db`, whose calls fail until it is back. `readOnly`
 * opens an SQLite file read-only (and leaves its journal mode alone); SQL Server ignores it.
 * `script` is for the command-line scripts: no request timeout on SQL Server (an index build or
 * a large clone runs as long as it takes; pages keep theirs). `readers` answers an SQLite file's
 * top-level reads on that many Workers (the server: a slow read never blocks a request); SQL
 * Server, asynchronous already, ignores it.
 */
export async function openDatabase(
  target: DatabaseTarget,
  options: { create?: boolean; readOnly?: boolean; script?: boolean; readers?: number } = {},
): Promise<Db> {
  if (target.kind === "sqlite" && options.create) {
    const folder = target.path.replace(/[\\/][^\\/]*$/, "");
    if (folder !== target.path) await Deno.mkdir(folder, { recursive: true });
  }
  const db = target.kind === "sqlite"
    ? openSqlite(target, options)
    : openMssql(target, { script: options.script });
  try {
    await detect(db);
  } catch {
    // Unreachable for now: the health check and the banner take it from here.
  }
  return db;
}
