/**
 * Time windows: the filters' presets and custom ranges, "since the last working day" for the
 * dashboard, and the window around a moment. Stored times are naive wall-clock text, so the
 * arithmetic here is calendar arithmetic on that text (no time zone, no DST shifts).
 * @module
 */
import type { FieldErrors } from "./list.ts";
import { type DbTime, inputTime, normalizeDbTime } from "./time.ts";

/** The time presets of the log and queue filters. */
export const TIME_PRESETS: readonly { label: string; ms: number }[] = [
  { label: "Last hour", ms: 3_600_000 },
  { label: "Last 24 h", ms: 86_400_000 },
  { label: "Last 7 days", ms: 7 * 86_400_000 },
  { label: "Last 30 days", ms: 30 * 86_400_000 },
];

/**
 * Moves a stored time by `ms` milliseconds (the microsecond digits are kept). Pages call this for
 * every row they show, so it leaves the calendar to `Date`'s native parsing and printing.
 */
export function shiftTime(time: DbTime, ms: number): DbTime {
  const iso = new Date(Date.parse(`${time.slice(0, 10)}T${time.slice(11, 23)}Z`) + ms)
    .toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${time.slice(23)}`;
}

/** The later of two stored times (null: none). */
export function later(a: DbTime | null, b: DbTime | null): DbTime | null {
  return a === null ? b : b === null || a > b ? a : b;
}

/**
 * Where "since the last working day" starts: at midnight at the start of the previous working
 * day (Monday to Friday): Friday 00:00 on Saturday, Sunday and Monday; yesterday 00:00 on the
 * other days.
 */
export function lastWorkingDayStart(now: DbTime): DbTime {
  const day = new Date(`${now.slice(0, 10)}T00:00:00Z`).getUTCDay();
  const back = day === 0 ? 2 : day === 1 ? 3 : 1; // Sunday, Monday: to Friday
  return `${shiftTime(now, -back * 86_400_000).slice(0, 10)} 00:00:00.000000`;
}

/** The windows the dashboard offers, by their name in the URL (`?window=`). */
export const DASHBOARD_WINDOWS = {
  "24h": "the last 24 hours",
  workday: "since the last working day",
  "7d": "the last 7 days",
} as const;

/** A dashboard window's name. */
export type DashboardWindow = keyof typeof DASHBOARD_WINDOWS;

/** True for a window the dashboard offers. */
export function isDashboardWindow(text: string): text is DashboardWindow {
  return Object.hasOwn(DASHBOARD_WINDOWS, text);
}

/** Where a dashboard window starts, on a whole minute (so the lists it links to match). */
export function windowStart(window: DashboardWindow, now: DbTime): DbTime {
  const start = window === "workday"
    ? lastWorkingDayStart(now)
    : shiftTime(now, -(window === "24h" ? 1 : 7) * 86_400_000);
  return `${start.slice(0, 16)}:00.000000`;
}

/** The `from` field value of a preset: the minute `ms` before now. */
export function presetFrom(now: DbTime, ms: number): string {
  return inputTime(shiftTime(now, -ms));
}

/** The `from`/`to` field values of the window of `minutes` either side of a moment. */
export function aroundWindow(time: DbTime, minutes: number): { from: string; to: string } {
  return {
    from: inputTime(shiftTime(time, -minutes * 60_000)),
    to: inputTime(shiftTime(time, minutes * 60_000)),
  };
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
