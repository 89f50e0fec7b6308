/**
 * How the filtered keyset lists (queue elements, logs) answer: JSON
 * `{"rows", "total", "total_capped", "next", "previous"}` for scripts, else the page or the
 * fragment; with status 400 and each problem next to its field when the filters cannot be read.
 * @module
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { CountedPage } from "../db/keyset.ts";
import type { FieldErrors } from "../lib/list.ts";
import { type Json, keysetJson } from "./json.ts";
import { respond } from "./render.tsx";

/** The page shown when the filters cannot be read. */
export const NO_PAGE: CountedPage<never> = {
  rows: [],
  next: null,
  previous: null,
  total: { count: 0, capped: false },
};

/** Answers a filtered list: 200 when `errors` is empty, else 400 with the same view. */
export function filteredList<T>(c: Context, answer: {
  title: string;
  errors: FieldErrors;
  page: CountedPage<T>;
  /** The serializer of a row (`json.ts`). */
  json: (row: T) => Json;
  body: Child;
  fragment: Child;
}) {
  const { errors, page: list } = answer;
  const ok = Object.keys(errors).length === 0;
  return respond(c, {
    status: ok ? 200 : 400,
    json: ok ? keysetJson(list, answer.json) : { errors },
    title: answer.title,
    page: answer.body,
    fragment: answer.fragment,
  });
}
