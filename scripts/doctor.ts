/**
 * `deno task doctor`: the self-check of the configured database (SQLite or SQL Server), as a
 * table of OK / WARN / FAIL with a hint each. Exits 1 when a check failed: the report is what an
 * admin sends when something is off. The compiled executable runs it as
 * `openorchestrator-web.exe doctor`.
 * @module
 */
import { anyFailed, formatChecks, runDoctor } from "../db/doctor.ts";
import { openDatabase } from "../db/open.ts";
import { loadConfigOrExit } from "../lib/config.ts";
import { escapeControls } from "../lib/log.ts";

/** Runs the self-check on the configured database, prints its table; returns the exit status. */
export async function doctorMain(): Promise<number> {
  const config = loadConfigOrExit("run the self-check");
  let db;
  try {
    db = await openDatabase(config.database);
  } catch (error) {
    console.log(escapeControls(`FAIL  reachable  ${(error as Error).message}`));
    return 1;
  }
  try {
    const checks = await runDoctor(db);
    console.log(formatChecks(checks));
    const failed = checks.filter((c) => c.status === "FAIL").length;
    const warned = checks.filter((c) => c.status === "WARN").length;
    console.log(`\n${checks.length} checks: ${failed} failed, ${warned} to look at.`);
    return anyFailed(checks) ? 1 : 0;
  } finally {
    await db.close();
  }
}

if (import.meta.main) Deno.exit(await doctorMain());
