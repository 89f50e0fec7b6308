/**
 * Health: `GET /healthz` (JSON for IIS and monitoring) and the banner fragment that pages poll
 * while the database is away. Both answer without identity, and show nothing secret.
 * @module
 */
import { type Context, Hono } from "hono";
import { checkHealth, type DbProblem, type Health } from "../db/connection.ts";
import { detect } from "../db/schema.ts";
import { DbBanner, SchedulerStatus } from "../templates/layout.tsx";
import { formatDbTime } from "../lib/time.ts";
import { healthJson } from "./json.ts";

/** The health routes. */
export const health = new Hono();

function check(c: Context): Promise<Health> {
  const db = c.get("db");
  return checkHealth(db, { health: c.get("health"), read: () => detect(db) });
}

/** What `/healthz` says of each kind of trouble. */
const STATUS: Record<DbProblem, string> = {
  unreachable: "unavailable",
  busy: "database busy",
  full: "disk full",
  "read-only": "read-only",
};

health.get("/healthz", async (c) => {
  const state = await check(c);
  const info = c.get("db").info;
  const at = c.get("snapshot").at;
  const trouble = state.outage ? state.problem ?? "unreachable" : null;
  return c.json(
    healthJson({
      status: trouble ? STATUS[trouble] : "ok",
      message: state.outage,
      trouble,
      engine: c.get("db").dialect.name,
      info,
      lastRound: at ? formatDbTime(at) : null,
    }),
    trouble ? 503 : 200,
  );
});

health.get("/health/banner", async (c) => {
  const state = await check(c);
  if (!state.outage) c.header("HX-Refresh", "true");
  return c.html(<DbBanner health={state} />);
});

health.get(
  "/health/header",
  (c) => c.html(<SchedulerStatus counts={c.get("snapshot").schedulers ?? null} />),
);
