/**
 * The filters of the queue element and log views, read from a URL query (or a form body) and
 * checked: statuses or levels by their stored names, a search text and a time range (the paging
 * is `parseList`'s). Every problem is said under the name of the field it belongs to.
 * @module
 */
import { isIdText } from "./cursor.ts";
import { type FieldErrors, type Parsed, readQ } from "./list.ts";
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
