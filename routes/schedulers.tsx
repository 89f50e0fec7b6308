/**
 * The Schedulers area: `GET /schedulers` (page, fragment or JSON). The page reads the small
 * `Schedulers` table directly; the header's count comes from the poller.
 * @module
 */
import { Hono } from "hono";
import { listSchedulers, SCHEDULERS_LIST } from "../db/schedulers.ts";
import { type PageParams, parseList } from "../lib/list.ts";
import { isClean } from "../lib/validate.ts";
import { SchedulersPage, SchedulersTable } from "../templates/schedulers.tsx";
import { listAnswer, pagesCsvAnswer, wantsCsv } from "./lists.tsx";
import { schedulersJson } from "./json.ts";

/** The Schedulers routes. */
export const schedulers = new Hono();

schedulers.get("/", async (c) => {
  const query = new URL(c.req.url).searchParams;
  const db = c.get("db");
  const now = c.get("now");
  if (wantsCsv(c)) {
    const read = (params: PageParams) => listSchedulers(db, { params, now });
    return pagesCsvAnswer(c, { list: SCHEDULERS_LIST, query, read });
  }
  const { value: params, errors } = parseList(query, SCHEDULERS_LIST);
  const overview = isClean(errors)
    ? await listSchedulers(db, { params, now })
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
