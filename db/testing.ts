/**
 * Test fixtures: real SQLite files in a temp folder, empty, seeded with the demo data, or copied
 * from the databases the real Python OpenOrchestrator wrote (`../shared/data/`).
 * @module
 */
import type { Db } from "./connection.ts";
import { seedDemo } from "./demo.ts";
import { openDatabase } from "./open.ts";
import { initSchema } from "./schema.ts";
import { DEMO_KEY } from "../lib/config.ts";

/** The databases written by the Python OpenOrchestrator, by name. */
export const PYTHON_DATABASES = {
  develop: new URL("../../shared/data/openorchestrator-develop.db", import.meta.url),
  "2.0": new URL("../../shared/data/openorchestrator-2.0.db", import.meta.url),
} as const;

/** The Fernet key of the Python-written databases. */
export const PYTHON_KEY = "qn1eYnCNdbqYdXEY6u0tS1s3rkCsJfFS8k5XbzPYqK8=";

/** An open test database and its file; `close()` removes the folder. */
export type TempDb = { db: Db; path: string; close(): Promise<void> };

/**
 * Opens a fresh SQLite file: a copy of a Python-written database, or a new one with the schema
 * (and the demo data when `seed` is set).
 */
export async function tempDatabase(
  options: { from?: keyof typeof PYTHON_DATABASES; seed?: boolean; empty?: boolean } = {},
): Promise<TempDb> {
  const dir = await Deno.makeTempDir({ prefix: "oo-test-" });
  const path = `${dir}/test.db`;
  if (options.from) await Deno.copyFile(PYTHON_DATABASES[options.from], path);
  const db = await openDatabase({ kind: "sqlite", path, embedded: false }, { create: true });
  if (!options.from && !options.empty) await initSchema(db);
  if (options.seed) await seedDemo(db, DEMO_KEY);
  return {
    db,
    path,
    async close() {
      await db.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}
