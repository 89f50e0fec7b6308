/**
 * The filters of the queue element and log views, read from a URL query (or a form body) and
 * checked: statuses or levels by their stored names, a search text and a time range with its
 * presets (the paging is `parseList`'s). Every problem is said under the name of the field it
 * belongs to.
 * @module
 */
import { isIdText } from "./cursor.ts";
import { type FieldErrors, type Parsed, readQ } from "./list.ts";
import { LOG_LEVELS, type LogLevel } from "./log_level.ts";
import { QUEUE_STATUSES, type QueueStatus } from "./queue_status.ts";
import { type DbTime, inputTime, normalizeDbTime, shiftTime } from "./time.ts";

/** The time presets of the log and queue filters. */
export const TIME_PRESETS: readonly { label: string; ms: number }[] = [
  { label: "Last hour", ms: 3_600_000 },
  { label: "Last 24 h", ms: 86_400_000 },
  { label: "Last 7 days", ms: 7 * 86_400_000 },
  { label: "Last 30 days", ms: 30 * 86_400_000 },
];

/** The `from` field value of a preset: the minute `ms` before now. */
export function presetFrom(now: DbTime, ms: number): string {
  return inputTime(shiftTime(now, -ms));
}

/**
 * The minute `by` minutes after `minute` (`YYYY-MM-DD HH:MM`) as a field value. Within the day it
 * is arithmetic on the clock's digits; another day is left to the calendar ({@linkcode shiftTime}).
 */
function laterMinute(minute: string, by: number): string {
  const clock = Number(minute.slice(11, 13)) * 60 + Number(minute.slice(14, 16)) + by;
  if (clock < 0 || clock >= 24 * 60) {
    return inputTime(shiftTime(`${minute}:00.000000`, by * 60_000));
  }
  const hours = String(Math.floor(clock / 60)).padStart(2, "0");
  return `${minute.slice(0, 10)}T${hours}:${String(clock % 60).padStart(2, "0")}`;
}

/**
 * The `from`/`to` field values of the window of `minutes` (whole) either side of a moment's
 * minute. A log page has a link per row, and the calendar (`Date`) was a seventh of its rendering.
 */
export function aroundWindow(time: DbTime, minutes: number): { from: string; to: string } {
  const minute = time.slice(0, 16);
  return { from: laterMinute(minute, -minutes), to: laterMinute(minute, minutes) };
}

/** A checked time range: `from` inclusive, `until` exclusive, either open; and the texts typed. */
export type TimeRange = {
  from: DbTime | null;
  until: DbTime | null;
  fromText: string;
  toText: string;
};

const FIELD_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

function fieldTime(text: string): DbTime | null {
  return FIELD_TIME.test(text) ? normalizeDbTime(text) : null;
}

/**
 * Reads `from` and `to` (`YYYY-MM-DDTHH:MM`, as a datetime-local field sends them). `to` takes
 * in the whole minute it names. Problems go to `errors` under the field's name.
 */
export function parseRange(query: URLSearchParams, errors: FieldErrors): TimeRange {
  const fromText = (query.get("from") ?? "").trim();
  const toText = (query.get("to") ?? "").trim();
  const from = fromText ? fieldTime(fromText) : null;
  const to = toText ? fieldTime(toText) : null;
  if (fromText && !from) {
    errors.from = `From must be a date and time like 2026-01-31T08:00 (got '${
      fromText.slice(0, 40)
    }').`;
  }
  if (toText && !to) {
    errors.to = `To must be a date and time like 2026-01-31T17:30 (got '${toText.slice(0, 40)}').`;
  }
  const until = to ? shiftTime(to, toText.length > 16 ? 1000 : 60_000) : null;
  if (from && until && from >= until) errors.to = "To must not be before From.";
  return { from, until, fromText, toText };
}

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
  { name, allowed, errors }: { name: string; allowed: readonly T[]; errors: FieldErrors },
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
  const statuses = readChoices(query, { name: "status", allowed: QUEUE_STATUSES, errors });
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
  const levels = readChoices(query, { name: "level", allowed: LOG_LEVELS, errors });
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
