/**
 * `deno task seed [--out PATH] [--force]`: writes a fresh SQLite database with the demo data
 * (default: the embedded default's file). It never touches a configured SQL Server database.
 * @module
 */
import { parseArgs } from "node:util";
import { seedDemo } from "../db/demo.ts";
import { openDatabase } from "../db/open.ts";
import { initSchema } from "../db/schema.ts";
import { DEMO_KEY } from "../lib/config.ts";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      out: { type: "string", default: "data/openorchestrator.db" },
      force: { type: "boolean" },
    },
  });
  const path = values.out!;
  if (await exists(path)) {
    if (!values.force) {
      console.error(`Cannot seed: ${path} exists (add --force to replace it with fresh demo data)`);
      Deno.exit(1);
    }
    for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(path + suffix).catch(() => {});
  }
  const db = await openDatabase({ kind: "sqlite", path, embedded: true }, { create: true });
  await initSchema(db);
  await seedDemo(db, DEMO_KEY);
  await db.close();
  console.log(`Wrote the demo database ${path} (credentials use the demo key ${DEMO_KEY}).`);
}

if (import.meta.main) await main();
