/**
 * The dashboard: `GET /dashboard` (page, the fragment it refreshes itself with, or JSON), all from
 * the poller's snapshot.
 * @module
 */
import { Hono } from "hono";
import { ensurePolled } from "../lib/poller.ts";
import { DashboardPage, DashboardView } from "../templates/dashboard.tsx";
import { pageOrFragment, wantsJson } from "./render.tsx";

/** The dashboard route. */
export const dashboard = new Hono();

dashboard.get("/", async (c) => {
  const snapshot = c.get("snapshot");
  await ensurePolled(c.get("db"), snapshot, "dashboard");
  const view = { dashboard: snapshot.dashboard ?? null, now: new Date() };
  if (wantsJson(c)) return c.json(view.dashboard);
  return pageOrFragment(c, "Dashboard", <DashboardPage {...view} />, <DashboardView {...view} />);
});
