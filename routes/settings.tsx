/**
 * The Settings area: `GET /settings`, `POST /settings/key` (a new key, shown once, no-store),
 * `POST /settings/init` (create the schema in an empty database), `POST /settings/doctor` (the
 * self-check of `deno task doctor`).
 * @module
 */
import { type Context, Hono } from "hono";
import { runDoctor } from "../db/doctor.ts";
import { initSchema, isEmpty, missingIndexStatements } from "../db/schema.ts";
import { DEMO_KEY } from "../lib/config.ts";
import { generateKey, keyFingerprint } from "../lib/fernet.ts";
import {
  DatabasePanel,
  DoctorReport,
  NewKey,
  SettingsPage,
  type SettingsView,
} from "../templates/settings.tsx";
import { requireAdmin } from "./middleware.ts";
import { changed, rejected, respond } from "./render.tsx";

/** The Settings routes. */
export const settings = new Hono();

async function view(c: Context): Promise<SettingsView> {
  const db = c.get("db");
  const key = c.get("config").key;
  return {
    info: db.info,
    engine: db.dialect.name === "sqlite" ? "SQLite" : "SQL Server",
    fingerprint: key ? keyFingerprint(key) : null,
    demoKey: key === DEMO_KEY,
    canWrite: c.get("user").role === "admin",
    missingIndexes: db.info.missingTables.length ? [] : await missingIndexStatements(db),
  };
}

settings.get("/", async (c) => {
  return respond(c, { title: "Settings", page: <SettingsPage {...await view(c)} /> });
});

settings.post("/key", requireAdmin, (c) => {
  c.header("Cache-Control", "no-store");
  return respond(c, { fragment: <NewKey value={generateKey()} /> });
});

settings.post("/init", requireAdmin, async (c) => {
  const db = c.get("db");
  if (!isEmpty(db.info)) {
    const errors = {
      _form: "This database already has OpenOrchestrator tables; it is never altered from here.",
    };
    const form = <DatabasePanel {...await view(c)} errors={errors} />;
    return rejected(c, { status: 409, errors, form });
  }
  await initSchema(db);
  return changed(c, {
    message: "The tables were created.",
    swap: <DatabasePanel {...await view(c)} />,
  });
});

settings.post("/doctor", requireAdmin, async (c) => {
  return respond(c, { fragment: <DoctorReport checks={await runDoctor(c.get("db"))} /> });
});
