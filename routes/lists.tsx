/**
 * How every list answers a GET: JSON for scripts, the page or the fragment for people, and the
 * CSV export (`format=csv`, the same filters) as a download; with status 400 and each problem
 * next to its field when the list parameters or filters cannot be read.
 * @module
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { CountedPage } from "../db/list.ts";
import { csvStream } from "../lib/csv.ts";
import { formatCursor } from "../lib/cursor.ts";
import type { FieldErrors, ListColumn } from "../lib/list.ts";
import { jsonRows, page, pageOrFragment, wantsFragment, wantsJson } from "./render.tsx";

/** The page of a cursor list shown when its filters cannot be read. */
export const NO_PAGE: CountedPage<never> = {
  rows: [],
  next: null,
  previous: null,
  total: { count: 0, capped: false },
};

/** True when the request asks for the CSV export of a list. */
export function wantsCsv(c: Context): boolean {
  return c.req.query("format") === "csv";
}

/** Answers a list: 200 when `errors` is empty, else 400 with the same view. */
export function listAnswer(c: Context, answer: {
  title: string;
  errors: FieldErrors;
  /** The JSON answer (read only when asked for and the input was good). */
  json: () => unknown;
  body: Child;
  fragment: Child;
}) {
  const ok = Object.keys(answer.errors).length === 0;
  if (wantsJson(c)) return ok ? c.json(answer.json()) : c.json({ errors: answer.errors }, 400);
  if (ok) return pageOrFragment(c, answer.title, answer.body, answer.fragment);
  if (wantsFragment(c)) return c.html(<>{answer.fragment}</>, 400);
  return page(c, answer.title, answer.body, 400);
}

/** The JSON of a cursor list's page: `{"rows", "total", "total_capped", "next", "previous"}`. */
export function cursorJson<T extends Record<string, unknown>>(
  list: CountedPage<T>,
  times: (keyof T)[],
) {
  return {
    rows: jsonRows(list.rows, times),
    total: list.total.count,
    total_capped: list.total.capped,
    next: list.next && formatCursor(list.next),
    previous: list.previous && formatCursor(list.previous),
  };
}

/**
 * Answers a list's CSV export (`<name>.csv`, any character of the name but letters, digits, `.`
 * and `-` written `_`), sent as its rows are read; refused with 400 like the list when its
 * parameters cannot be read.
 */
export function csvAnswer<T>(c: Context, answer: {
  name: string;
  errors: FieldErrors;
  columns: readonly ListColumn<T>[];
  /** The rows in batches, read only when the input was good. */
  batches: () => AsyncIterable<T[]>;
}) {
  if (Object.keys(answer.errors).length) {
    return c.text(`Cannot export: ${Object.values(answer.errors).join(" ")}`, 400);
  }
  return c.body(csvStream(answer.columns, answer.batches()), 200, {
    "Content-Type": "text/csv; charset=utf-8",
    "Content-Disposition": `attachment; filename="${answer.name.replace(/[^\w.-]/g, "_")}.csv"`,
    "Cache-Control": "no-store",
  });
}
