/**
 * Time helpers. The shared database stores naive local wall-clock times (the writer's
 * `datetime.now()`), spelled `YYYY-MM-DD HH:MM:SS.ffffff` in SQLite. Inside the app every time is
 * such a string; this module makes, parses, formats and shifts them (calendar arithmetic on the
 * wall-clock text: no time zone, no DST shifts).
 * @module
 */

/** A stored time: `YYYY-MM-DD HH:MM:SS.ffffff`, naive local wall-clock. */
export type DbTime = string;

const DB_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** Formats a `Date` by its local components as a stored time. */
export function formatDbTime(date: Date): DbTime {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.` +
    `${pad(date.getMilliseconds(), 3)}000`;
}

/** The current local wall-clock time as a stored time. */
export function nowDbTime(): DbTime {
  return formatDbTime(new Date());
}

/**
 * Parses a time as written by the Python side, by a form (`YYYY-MM-DDTHH:MM`) or by SQL Server,
 * and returns the canonical stored spelling, or null when the text is not a real time.
 */
export function normalizeDbTime(text: string): DbTime | null {
  const m = DB_TIME.exec(text.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((v) => Number(v ?? 0));
  const check = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // 1753–9999: what SQL Server's DATETIME holds (and four digits keep text order right).
  if (
    y < 1753 || check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 ||
    check.getUTCDate() !== d || h > 23 || mi > 59 || s > 59
  ) return null;
  const fraction = (m[7] ?? "").padEnd(6, "0");
  return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${pad(s)}.${fraction}`;
}

/** Turns a stored time into a local `Date` (for arithmetic only). */
export function parseDbTime(time: DbTime): Date {
  const m = DB_TIME.exec(time);
  if (!m) throw new Error(`Cannot parse time: ${time}`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map((v) => Number(v ?? 0));
  const ms = Number((m[7] ?? "0").padEnd(6, "0").slice(0, 3));
  return new Date(y, mo - 1, d, h, mi, s, ms);
}

/** The JSON spelling of a stored time: `YYYY-MM-DDTHH:MM:SS`. */
export function jsonTime(time: DbTime | null): string | null {
  return time === null ? null : `${time.slice(0, 10)}T${time.slice(11, 19)}`;
}

/** The form-field spelling of a stored time: `YYYY-MM-DDTHH:MM`. */
export function inputTime(time: DbTime | null): string {
  return time === null ? "" : `${time.slice(0, 10)}T${time.slice(11, 16)}`;
}

/** Shows a stored time to a person: `YYYY-MM-DD HH:MM:SS`. */
export function displayTime(time: DbTime | null): string {
  return time === null ? "—" : time.slice(0, 19);
}

/** Says how far a time is from now in words: "3 min ago", "in 2 h", "just now". */
export function relativeTime(time: DbTime, now: Date): string {
  const seconds = Math.round((parseDbTime(time).getTime() - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return "just now";
  const [amount, unit] = abs < 3600
    ? [Math.round(abs / 60), "min"]
    : abs < 86400
    ? [Math.round(abs / 3600), "h"]
    : [Math.round(abs / 86400), abs < 1.5 * 86400 ? "day" : "days"];
  return seconds < 0 ? `${amount} ${unit} ago` : `in ${amount} ${unit}`;
}

/**
 * A stored time as the `Date` whose UTC components are its wall-clock digits: exact for every
 * naive time (a DST gap has no local Date), as SQL Server binds it with `useUTC: true`.
 */
export function timeToDate(time: DbTime): Date {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/.exec(time);
  if (!m) throw new Error(`Cannot bind time: ${time} is not a stored time`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  return new Date(
    Date.UTC(y, mo - 1, d, h, mi, s, Number((m[7] ?? "0").padEnd(3, "0").slice(0, 3))),
  );
}

/** A `Date` read with `useUTC: true` as the stored time it holds. */
export function dateToTime(date: Date): DbTime {
  return date.toISOString().replace("T", " ").replace(/Z$/, "000");
}

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
