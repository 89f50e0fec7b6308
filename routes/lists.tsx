/**
 * How every list answers a GET: JSON for scripts, the page or the fragment for people, and the
 * CSV export (`format=csv`, the same filters) as a download; with status 400 and each problem
 * next to its field when the list parameters or filters cannot be read. And how a change shows
 * the list the page shows as it is now (`shownList`).
 * @module
 */
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { CountedPage } from "../db/list.ts";
import { csvStream } from "../lib/csv.ts";
import {
  allPages,
  type Dir,
  type FieldErrors,
  type ListColumn,
  type ListDefinition,
  type ListParams,
  type Parsed,
  parseFilteredList,
  parseList,
} from "../lib/list.ts";
import { isClean } from "../lib/validate.ts";
import type { Json } from "./json.ts";
import { keptBody, respond, shownView, wantsJson } from "./render.tsx";

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

/** Answers a list through the responder: 200 when `errors` is empty, else 400 with the same view. */
export function listAnswer(c: Context, answer: {
  title: string;
  errors: FieldErrors;
  /** The JSON answer, from the serializers in `json.ts` (read only when a script asks for it). */
  json: () => Json;
  body: Child;
  fragment: Child;
  /** The view is the poller's snapshot's alone: its bodies are kept (`keptBody`). */
  kept?: boolean;
}) {
  const ok = Object.keys(answer.errors).length === 0;
  if (ok && answer.kept) {
    const body = keptBody(
      c,
      (kind) =>
        kind === "json"
          ? JSON.stringify(answer.json())
          : String(kind === "page" ? answer.body : answer.fragment),
    );
    return respond(c, { title: answer.title, json: body, page: body, fragment: body });
  }
  return respond(c, {
    status: ok ? 200 : 400,
    json: !ok ? { errors: answer.errors } : wantsJson(c) ? answer.json() : undefined,
    title: answer.title,
    page: answer.body,
    fragment: answer.fragment,
  });
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

/**
 * The CSV export of a page-numbered list: every page `read` gives, in the list's order; refused
 * with 400 when the list's parameters or its filters (`errors`) cannot be read.
 */
export function pagesCsvAnswer<T>(c: Context, csv: {
  list: ListDefinition<T>;
  query: URLSearchParams;
  /** What is wrong with the list's own filters (none when absent). */
  errors?: FieldErrors;
  read: (params: ListParams) => Promise<{ rows: T[] }>;
}) {
  const { value: params, errors } = parseList(csv.query, csv.list as ListDefinition<never>);
  return csvAnswer(c, {
    name: csv.list.name,
    errors: { ...errors, ...csv.errors },
    columns: csv.list.columns,
    batches: () => allPages((at) => csv.read({ ...params, ...at })),
  });
}

/**
 * The CSV export of a filtered cursor list (logs, queue elements): every row `batches` reads for
 * the filter, in the list's direction; refused with 400 when the filter or the list parameters
 * cannot be read.
 */
export function filteredCsvAnswer<T, F>(c: Context, csv: {
  list: ListDefinition<T>;
  /** The export's file name, without `.csv`. */
  name: string;
  query: URLSearchParams;
  filter: (query: URLSearchParams) => Parsed<F>;
  batches: (read: { filter: F; dir: Dir }) => AsyncIterable<T[]>;
}) {
  const { filter, paging, errors } = parseFilteredList(csv.query, {
    list: csv.list as ListDefinition<never>,
    filter: csv.filter,
  });
  return csvAnswer(c, {
    name: csv.name,
    errors,
    columns: csv.list.columns,
    batches: () => csv.batches({ filter, dir: paging.dir }),
  });
}

/**
 * After a change: the list the page shows (its URL comes as `OO-View`) when that is the list at
 * `base`, read again and rendered by `table` (out of band); null when the page shows something
 * else or its query cannot be read.
 */
export async function shownList<V extends { errors: FieldErrors }>(c: Context, shown: {
  base: string;
  read: (query: URLSearchParams) => Promise<V>;
  table: (view: V) => Child;
}): Promise<Child | null> {
  const query = shownView(c, shown.base);
  const view = query && await shown.read(query);
  return view && isClean(view.errors) ? shown.table(view) : null;
}
