/**
 * The dashboard: `GET /dashboard?window=workday|24h|7d` (page, the fragment it refreshes itself
 * with, or JSON). The default window (since the last working day) comes from the poller's
 * snapshot: its fragment changes only when a round brings a new snapshot, so it is rendered once
 * per round and URL, and repeats are answered from memory, with an ETag that lets the browser
 * revalidate for nothing. The other windows are read for the request.
 * @module
 */
import { Hono } from "hono";
import { parseDbTime } from "../lib/time.ts";
import { DashboardPage, DashboardView } from "../templates/dashboard.tsx";
import { readDashboard } from "../db/dashboard.ts";
import { dashboardJson } from "./json.ts";
import { keptBody, rejected, RENDERED_VARY, respond, wantsFragment, wantsJson } from "./render.tsx";
import { isDashboardWindow } from "../lib/dashboard_window.ts";

/** The dashboard route. */
export const dashboard = new Hono();

dashboard.get("/", async (c) => {
  const window = c.req.query("window") ?? "workday";
  if (!isDashboardWindow(window)) {
    const errors = { window: `Cannot show the window ${window}: choose 24h, workday or 7d.` };
    return rejected(c, { status: 400, errors });
  }
  const snapshot = c.get("snapshot");
  let read;
  if (window === "workday") {
    // The poller's window, read once a round for everyone; the others are read for the request.
    await c.get("poller").ensure("dashboard");
    read = snapshot.dashboard ?? null;
  } else {
    read = await readDashboard(c.get("db"), { window });
  }
  // Times are told relative to when they were read: the view is the snapshot's alone.
  const view = { dashboard: read, window, now: read ? parseDbTime(read.now) : c.get("now") };
  if (!read || window !== "workday" || !wantsFragment(c) || wantsJson(c)) {
    return respond(c, {
      title: "Dashboard",
      page: <DashboardPage {...view} />,
      fragment: <DashboardView {...view} />,
      json: dashboardJson(read, window),
    });
  }
  // Rendered once per round for every open console (a list of every process and queue: 90 kB
  // at the bench's size, under a tenth of that gzipped), and revalidated for nothing.
  const etag = `"${read.now.replace(/\D/g, "")}"`;
  c.header("Vary", RENDERED_VARY);
  c.header("Cache-Control", "no-cache");
  c.header("ETag", etag);
  if (c.req.header("If-None-Match") === etag) return c.body(null, 304);
  return respond(c, { fragment: keptBody(c, () => String(<DashboardView {...view} />)) });
});
