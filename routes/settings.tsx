/**
 * The Settings area: `GET /settings`, `POST /settings/key` (a new key, shown once, no-store),
 * `POST /settings/init` (create the schema in an empty database), `POST /settings/doctor` (the
 * self-check of `deno task doctor`), `POST /settings/alerts/test` (a test alert on every channel).
 * @module
 */
import { type Context, Hono } from "hono";
import { runDoctor } from "../db/doctor.ts";
import { initSchema, isEmpty, missingIndexStatements } from "../db/schema.ts";
import { sendTestAlert } from "../lib/alerts.ts";
import { type Config, DEMO_KEY } from "../lib/config.ts";
import { generateKey, keyFingerprint } from "../lib/fernet.ts";
import {
  type AlertSettings,
  DatabasePanel,
  DoctorReport,
  NewKey,
  SettingsPage,
  type SettingsView,
  TestAlertReport,
} from "../templates/settings.tsx";
import { requireAdmin } from "./middleware.ts";
import { changed, rejected, respond } from "./render.tsx";

/** The Settings routes. */
export const settings = new Hono();

/** The alert configuration in words, without the webhook's path (it holds the secret) or the password. */
function alertSettings(config: Config): AlertSettings {
  const { webhook, smtp, ...alerts } = config.alerts;
  const security = { starttls: "STARTTLS", tls: "TLS", none: "no TLS" };
  return {
    enabled: alerts.enabled,
    webhook: webhook && `${webhook.format} to ${new URL(webhook.url).origin}/…`,
    email: smtp &&
      `${smtp.host}:${smtp.port} (${security[smtp.security]}${
        smtp.user ? `, login as ${smtp.user}` : ""
      }) from ${smtp.from} to ${smtp.to.join(", ")}`,
    rules: [
      "a trigger that became FAILED or KILLED",
      "new error logs of a process, new failed elements of a queue",
      `a scheduler offline for ${alerts.schedulerMinutes} min`,
      `a queue whose oldest new element waits ${alerts.queueMinutes} min`,
      `the database unreachable for ${alerts.databaseMinutes} min, and back`,
      `at most one alert per subject in ${alerts.repeatMinutes} min`,
    ],
    publicUrl: config.publicUrl,
    metrics: config.metricsToken !== null,
  };
}

async function view(c: Context): Promise<SettingsView> {
  const db = c.get("db");
  const key = c.get("config").key;
  return {
    alerts: alertSettings(c.get("config")),
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

settings.post("/alerts/test", requireAdmin, async (c) => {
  const config = c.get("config");
  const results = await sendTestAlert(config.alerts, {
    publicUrl: config.publicUrl,
    user: c.get("user").name,
  });
  return c.html(<TestAlertReport results={results} />);
});
