/**
 * How the filtered keyset lists (queue elements, logs) answer: JSON
 * `{"rows", "total", "total_capped", "next", "previous"}` for scripts, else the page or the
 * fragment; with status 400 and each problem next to its field when the filters cannot be read.
 * @module
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { CountedPage } from "../db/keyset.ts";
import { formatCursor } from "../lib/cursor.ts";
import type { FieldErrors } from "../lib/list.ts";
import { jsonRows, page, pageOrFragment, wantsFragment, wantsJson } from "./render.tsx";

/** The page shown when the filters cannot be read. */
export const NO_PAGE: CountedPage<never> = {
  rows: [],
  next: null,
  previous: null,
  total: { count: 0, capped: false },
};

/** Answers a filtered list: 200 when `errors` is empty, else 400 with the same view. */
export function filteredList<T extends Record<string, unknown>>(c: Context, answer: {
  title: string;
  errors: FieldErrors;
  page: CountedPage<T>;
  /** The time columns of a row (JSON spells them `YYYY-MM-DDTHH:MM:SS`). */
  times: (keyof T)[];
  body: Child;
  fragment: Child;
}) {
  const { errors, page: list } = answer;
  const ok = Object.keys(errors).length === 0;
  if (wantsJson(c)) {
    if (!ok) return c.json({ errors }, 400);
    return c.json({
      rows: jsonRows(list.rows, answer.times),
      total: list.total.count,
      total_capped: list.total.capped,
      next: list.next && formatCursor(list.next),
      previous: list.previous && formatCursor(list.previous),
    });
  }
  if (ok) return pageOrFragment(c, answer.title, answer.body, answer.fragment);
  if (wantsFragment(c)) return c.html(<>{answer.fragment}</>, 400);
  return page(c, answer.title, answer.body, 400);
}
