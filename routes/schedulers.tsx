/**
 * The Schedulers area: `GET /schedulers` (page, fragment or JSON). The page reads the small
 * `Schedulers` table directly; the header's count comes from the poller.
 * @module
 */
import { Hono } from "hono";
import { listSchedulers, SCHEDULERS_LIST } from "../db/schedulers.ts";
import { allPages, parseList } from "../lib/list.ts";
import { isClean } from "../lib/validate.ts";
import { SchedulersPage, SchedulersTable } from "../templates/schedulers.tsx";
import { csvAnswer, listAnswer, wantsCsv } from "./lists.tsx";
import { schedulersJson } from "./json.ts";

/** The Schedulers routes. */
export const schedulers = new Hono();

schedulers.get("/", async (c) => {
  const { value: params, errors } = parseList(new URL(c.req.url).searchParams, SCHEDULERS_LIST);
  const db = c.get("db");
  const now = c.get("now");
  if (wantsCsv(c)) {
    return csvAnswer(c, {
      name: SCHEDULERS_LIST.name,
      errors,
      columns: SCHEDULERS_LIST.columns,
      batches: () => allPages((at) => listSchedulers(db, { ...params, ...at }, now)),
    });
  }
  const overview = isClean(errors)
    ? await listSchedulers(db, params, now)
    : { rows: [], total: 0, open: 0, unknown: [] };
  const view = { ...overview, list: SCHEDULERS_LIST, params, errors, now };
  return listAnswer(c, {
    title: "Schedulers",
    errors,
    json: () => schedulersJson(overview),
    body: <SchedulersPage {...view} />,
    fragment: <SchedulersTable {...view} />,
  });
});
