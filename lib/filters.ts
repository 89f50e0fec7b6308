/**
 * The filters of the queue element and log views, read from a URL query (or a form body) and
 * checked: statuses or levels by their stored names, a search text, a time range, and keyset
 * paging. Every problem is said under the name of the field it belongs to.
 * @module
 */
import { type Cursor, formatCursor, isIdText, parseCursor } from "./cursor.ts";
import { type FieldErrors, MAX_PAGE_SIZE } from "./list.ts";
import { QUEUE_STATUSES, type QueueStatus } from "./queue_status.ts";
import { parseRange, type TimeRange } from "./window.ts";

/** The stored log levels, in the order the pages show them. */
export const LOG_LEVELS = ["TRACE", "INFO", "ERROR"] as const;

/** A stored log level. */
export type LogLevel = typeof LOG_LEVELS[number];

/** How each level is shown. */
export const LOG_LEVEL_LABELS: Record<LogLevel, string> = {
  TRACE: "Trace",
  INFO: "Info",
  ERROR: "Error",
};

/** The page size of the keyset lists unless the query says otherwise. */
export const DEFAULT_PAGE_SIZE = 50;

/** Keyset paging: the page size, the time order, and where the page starts. */
export type Paging = {
  size: number;
  dir: "asc" | "desc";
  /** The page starts after this row (the next page). */
  after: Cursor | null;
  /** The page ends before this row (the previous page). */
  before: Cursor | null;
};

/** What the queue element list shows. */
export type QueueFilter = TimeRange & {
  /** The statuses to show; empty means all. */
  statuses: QueueStatus[];
  q: string;
  /** Which date the range applies to. */
  date: "created" | "ended";
};

/** What the log list shows. */
export type LogFilter = TimeRange & {
  /** The levels to show; empty means all. */
  levels: LogLevel[];
  q: string;
  /** The id of the row to mark ("around this"). */
  highlight: string | null;
};

/** A read value and what is wrong with its fields (nothing when `errors` is empty). */
export type Parsed<T> = { value: T; errors: FieldErrors };

function readQ(query: URLSearchParams, errors: FieldErrors): string {
  const q = (query.get("q") ?? "").trim();
  if (q.length > 200) errors.q = "Search text can be at most 200 characters.";
  return q;
}

function readChoices<T extends string>(
  query: URLSearchParams,
  name: string,
  allowed: readonly T[],
  errors: FieldErrors,
): T[] {
  const given = query.getAll(name).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(
    Boolean,
  );
  const unknown = given.filter((v) => !(allowed as readonly string[]).includes(v));
  if (unknown.length) {
    errors[name] = `Unknown ${name} '${unknown[0].slice(0, 40)}': choose from ${
      allowed.join(", ")
    }.`;
  }
  const chosen = allowed.filter((v) => given.includes(v));
  return chosen.length === allowed.length ? [] : chosen;
}

/** Reads the queue element filter. */
export function parseQueueFilter(query: URLSearchParams): Parsed<QueueFilter> {
  const errors: FieldErrors = {};
  const statuses = readChoices(query, "status", QUEUE_STATUSES, errors);
  const q = readQ(query, errors);
  const dateText = query.get("date") || "created";
  if (dateText !== "created" && dateText !== "ended") {
    errors.date = "Dates must apply to created or ended.";
  }
  const date = dateText === "ended" ? "ended" : "created";
  return { value: { statuses, q, date, ...parseRange(query, errors) }, errors };
}

/** Reads the log filter. */
export function parseLogFilter(query: URLSearchParams): Parsed<LogFilter> {
  const errors: FieldErrors = {};
  const levels = readChoices(query, "level", LOG_LEVELS, errors);
  const q = readQ(query, errors);
  const highlight = query.get("highlight") || null;
  if (highlight !== null && !isIdText(highlight)) errors.highlight = "Highlight must be a log id.";
  return { value: { levels, q, highlight, ...parseRange(query, errors) }, errors };
}

/** Reads keyset paging: `size`, `dir`, and one of `after` or `before`. */
export function parsePaging(query: URLSearchParams): Parsed<Paging> {
  const errors: FieldErrors = {};
  const sizeText = query.get("size") || String(DEFAULT_PAGE_SIZE);
  const size = /^\d{1,9}$/.test(sizeText) ? Number(sizeText) : NaN;
  if (!(size >= 1 && size <= MAX_PAGE_SIZE)) {
    errors.size = `Page size must be a whole number from 1 to ${MAX_PAGE_SIZE}.`;
  }
  const dir = query.get("dir") || "desc";
  if (dir !== "asc" && dir !== "desc") errors.dir = "Direction must be asc or desc.";
  const cursor = (name: "after" | "before") => {
    const text = query.get(name);
    if (!text) return null;
    const parsed = parseCursor(text);
    if (!parsed) {
      errors[name] = `The ${name} cursor cannot be read: start again from the first page.`;
    }
    return parsed;
  };
  const after = cursor("after");
  const before = cursor("before");
  if (after && before) errors.before = "Give either after or before, not both.";
  return {
    value: {
      size: Number.isNaN(size) ? DEFAULT_PAGE_SIZE : size,
      dir: dir === "asc" ? "asc" : "desc",
      after,
      before,
    },
    errors,
  };
}

/** The query entries of a queue filter (for links and forms), leaving defaults out. */
export function queueFilterQuery(filter: QueueFilter): Record<string, string | string[]> {
  return {
    status: filter.statuses,
    q: filter.q,
    from: filter.fromText,
    to: filter.toText,
    date: filter.date === "ended" ? "ended" : "",
  };
}

/** The query entries of a log filter (for links and forms), leaving defaults out. */
export function logFilterQuery(filter: LogFilter): Record<string, string | string[]> {
  return {
    level: filter.levels,
    q: filter.q,
    from: filter.fromText,
    to: filter.toText,
    highlight: filter.highlight ?? "",
  };
}

/** The query string of a filter and paging, leaving defaults and empty values out. */
export function pagedQuery(
  filters: Record<string, string | string[]>,
  paging: Partial<Paging>,
): string {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    for (const v of Array.isArray(value) ? value : [value]) if (v) query.append(key, v);
  }
  if (paging.dir && paging.dir !== "desc") query.set("dir", paging.dir);
  if (paging.size && paging.size !== DEFAULT_PAGE_SIZE) query.set("size", String(paging.size));
  if (paging.after) query.set("after", formatCursor(paging.after));
  if (paging.before) query.set("before", formatCursor(paging.before));
  const text = query.toString();
  return text ? `?${text}` : "";
}
