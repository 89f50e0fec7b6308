/**
 * `deno task db:init`: creates the OpenOrchestrator tables (revision 9698388a0709, as the Python
 * migrations make them) in the configured database, where they are missing. Existing tables are
 * never altered. The explicit way to prepare an empty SQL Server database.
 * @module
 */
import { openDatabase } from "../db/open.ts";
import { initSchema } from "../db/schema.ts";
import { loadConfigOrExit } from "../lib/config.ts";

async function main(): Promise<void> {
  const config = loadConfigOrExit("initialize");
  const db = await openDatabase(config.database, {
    create: config.database.kind === "sqlite",
    script: true,
  });
  try {
    const missing = db.info.missingTables;
    if (missing.length === 0) {
      console.log(`${db.info.name} already has every table (revision ${db.info.revision}).`);
      return;
    }
    const info = await initSchema(db);
    console.log(`Created ${missing.join(", ")} in ${info.name} (revision ${info.revision}).`);
  } catch (error) {
    console.error(
      `Cannot initialize ${db.info.name || "the database"}: ${(error as Error).message}`,
    );
    Deno.exitCode = 1;
  } finally {
    await db.close();
  }
}

if (import.meta.main) await main();
