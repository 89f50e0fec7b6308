/**
 * `deno task db:optimize`: the indexes the log and queue views need (docs/design.md#indexes):
 * `Logs(process_name, log_time)`, `Logs(log_level, log_time)`, `Logs(log_time)`,
 * `Queues(queue_name, status, created_date)` and `Queues(status, end_date)`; on SQL Server the
 * `log_time` one covers the poller's log counts: `Logs(log_time) INCLUDE (process_name, log_level)`.
 *
 * On SQLite it creates the missing ones. On SQL Server it prints the script for the DBA;
 * `--apply` runs it with the configured login, with no request timeout (an index on millions of
 * logs takes as long as it takes). Existing indexes are left alone, so running it again is
 * harmless.
 * @module
 */
import { openDatabase } from "../db/open.ts";
import { isEmpty, missingIndexStatements } from "../db/schema.ts";
import { loadConfigOrExit } from "../lib/config.ts";

async function main(args: string[]): Promise<number> {
  const unknown = args.filter((a) => a !== "--apply");
  if (unknown.length) {
    console.error(`Cannot optimize: unknown option ${unknown[0]} (the only one is --apply).`);
    return 2;
  }
  const config = loadConfigOrExit("optimize");
  let db;
  try {
    db = await openDatabase(config.database, { script: true });
  } catch (error) {
    console.error(`Cannot optimize: ${(error as Error).message}`);
    return 1;
  }
  try {
    if (isEmpty(db.info)) {
      console.error(`Cannot optimize ${db.info.name}: it has no OpenOrchestrator tables.`);
      return 1;
    }
    const statements = await missingIndexStatements(db);
    if (statements.length === 0) {
      console.log(`${db.info.name} has every recommended index.`);
      return 0;
    }
    if (db.dialect.name === "mssql" && !args.includes("--apply")) {
      console.log(`-- Recommended indexes for ${db.info.name} (OpenOrchestrator Web).`);
      console.log(
        "-- They speed up the log and queue views; OpenOrchestrator itself never reads them.",
      );
      for (const statement of statements) console.log(`${statement};\nGO`);
      console.error(
        "\nRun this script as the DBA, or `deno task db:optimize --apply` with a login that may " +
          "create indexes. On a large Logs table each index takes a while and locks the table.",
      );
      return 0;
    }
    for (const statement of statements) {
      const started = performance.now();
      await db.run(statement);
      console.log(`${statement} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }
    console.log(
      `Created ${statements.length} index${
        statements.length === 1 ? "" : "es"
      } in ${db.info.name}.`,
    );
    return 0;
  } catch (error) {
    console.error(`Cannot optimize ${db.info.name || "the database"}: ${(error as Error).message}`);
    return 1;
  } finally {
    await db.close();
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
