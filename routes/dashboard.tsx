/**
 * The dashboard: `GET /dashboard` (page, the fragment it refreshes itself with, or JSON), all from
 * the poller's snapshot. The fragment changes only when a round brings a new snapshot, so it is
 * rendered once per round and URL, and repeats are answered from memory, with an ETag that lets
 * the browser revalidate for nothing.
 * @module
 */
import { Hono } from "hono";
import { ensurePolled, type Snapshot } from "../lib/poller.ts";
import { parseDbTime } from "../lib/time.ts";
import { DashboardPage, DashboardView } from "../templates/dashboard.tsx";
import { pageOrFragment, wantsFragment, wantsJson } from "./render.tsx";

/** The dashboard route. */
export const dashboard = new Hono();

/** The last fragment rendered, per snapshot (one per app), with the round and URL it shows. */
const rendered = new WeakMap<Snapshot, { key: string; etag: string; html: string }>();

dashboard.get("/", async (c) => {
  const snapshot = c.get("snapshot");
  await ensurePolled(c.get("db"), snapshot, "dashboard");
  const read = snapshot.dashboard ?? null;
  // Times are told relative to when the round read them: the view is the snapshot's alone.
  const view = { dashboard: read, now: read ? parseDbTime(read.now) : new Date() };
  if (wantsJson(c)) return c.json(view.dashboard);
  if (!read || !wantsFragment(c)) {
    return pageOrFragment(c, "Dashboard", <DashboardPage {...view} />, <DashboardView {...view} />);
  }
  const key = `${read.now} ${c.req.url}`;
  let cached = rendered.get(snapshot);
  if (cached?.key !== key) {
    const html = String(<DashboardView {...view} />);
    cached = { key, etag: `"${read.now.replace(/\D/g, "")}"`, html };
    rendered.set(snapshot, cached);
  }
  c.header("Vary", "HX-Request, Accept");
  c.header("Cache-Control", "no-cache");
  c.header("ETag", cached.etag);
  if (c.req.header("If-None-Match") === cached.etag) return c.body(null, 304);
  return c.html(cached.html);
});
