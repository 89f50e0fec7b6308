/**
 * The Schedulers area: `GET /schedulers` (page, fragment or JSON). The page reads the small
 * `Schedulers` table directly; the header's count comes from the poller.
 * @module
 */
import { Hono } from "hono";
import { listSchedulers, type Scheduler } from "../db/schedulers.ts";
import { parseListParams } from "../lib/list.ts";
import { SCHEDULERS_SPEC, SchedulersPage, SchedulersTable } from "../templates/schedulers.tsx";
import { jsonRows, pageOrFragment, rejected, wantsJson } from "./render.tsx";

/** The Schedulers routes. */
export const schedulers = new Hono();

const TIME_COLUMNS: (keyof Scheduler)[] = ["last_update", "latest_trigger_time"];

schedulers.get("/", async (c) => {
  const checked = parseListParams(new URL(c.req.url).searchParams, SCHEDULERS_SPEC);
  if (!checked.ok) return rejected(c, 400, checked.errors);
  const now = new Date();
  const overview = await listSchedulers(c.get("db"), checked.value, now);
  if (wantsJson(c)) {
    return c.json({ ...overview, rows: jsonRows(overview.rows, TIME_COLUMNS) });
  }
  const view = { ...overview, params: checked.value, now };
  return pageOrFragment(
    c,
    "Schedulers",
    <SchedulersPage {...view} />,
    <SchedulersTable {...view} />,
  );
});
