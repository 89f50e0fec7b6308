/**
 * The dashboard: `GET /dashboard` (page, the fragment it refreshes itself with, or JSON), all from
 * the poller's snapshot.
 * @module
 */
import { Hono } from "hono";
import { ensurePolled } from "../lib/poller.ts";
import { DashboardPage, DashboardView } from "../templates/dashboard.tsx";
import { readDashboard } from "../db/dashboard.ts";
import { isDashboardWindow } from "../lib/window.ts";
import { pageOrFragment, rejected, wantsJson } from "./render.tsx";

/** The dashboard route. */
export const dashboard = new Hono();

dashboard.get("/", async (c) => {
  const window = c.req.query("window") ?? "workday";
  if (!isDashboardWindow(window)) {
    return rejected(c, 400, {
      window: `Cannot show the window ${window}: choose 24h, workday or 7d.`,
    });
  }
  const snapshot = c.get("snapshot");
  let read;
  if (window === "workday") {
    // The poller's window, read once a round for everyone; the others are read for the request.
    await ensurePolled(c.get("db"), snapshot, "dashboard");
    read = snapshot.dashboard ?? null;
  } else {
    read = await readDashboard(c.get("db"), new Date(), window);
  }
  const view = { dashboard: read, window, now: new Date() };
  if (wantsJson(c)) return c.json(view.dashboard);
  return pageOrFragment(c, "Dashboard", <DashboardPage {...view} />, <DashboardView {...view} />);
});
