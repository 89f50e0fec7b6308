/**
 * The Schedulers area: `GET /schedulers` (page, fragment or JSON). The page reads the small
 * `Schedulers` table directly; the header's count comes from the poller.
 * @module
 */
import { Hono } from "hono";
import { listSchedulers } from "../db/schedulers.ts";
import { parseListParams } from "../lib/list.ts";
import { SCHEDULERS_SPEC, SchedulersPage, SchedulersTable } from "../templates/schedulers.tsx";
import { schedulersJson } from "./json.ts";
import { rejected, respond } from "./render.tsx";

/** The Schedulers routes. */
export const schedulers = new Hono();

schedulers.get("/", async (c) => {
  const checked = parseListParams(new URL(c.req.url).searchParams, SCHEDULERS_SPEC);
  if (!checked.ok) return rejected(c, { status: 400, errors: checked.errors });
  const now = new Date();
  const overview = await listSchedulers(c.get("db"), checked.value, now);
  const view = { ...overview, params: checked.value, now };
  return respond(c, {
    title: "Schedulers",
    page: <SchedulersPage {...view} />,
    fragment: <SchedulersTable {...view} />,
    json: schedulersJson(overview),
  });
});
