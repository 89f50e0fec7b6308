/**
 * The dashboard's time windows: their names in the URL (`?window=`) and where each starts, on
 * stored wall-clock times ("since the last working day" is calendar arithmetic, no time zone).
 * @module
 */
import { type DbTime, shiftTime } from "./time.ts";

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
