/**
 * Cron expressions of scheduled triggers, read and evaluated exactly as the Python scheduler does:
 * OpenOrchestrator (1.3.1 and later) computes `next(CronSim(cron_expr, datetime.now()))` with
 * cronsim 2.6 and validates its trigger form with `CronSim(...)`. This module follows that
 * library's parser and search step by step, so it accepts the same expressions and finds the same
 * runs (docs/design.md#cron; checked against 3,000 reference cases in `cron_cases_test.ts`).
 *
 * The rules, in short: 5 fields, upper-cased first; names `JAN`–`DEC` and `SUN`–`SAT`;
 * day-of-week 0–7 (0 and 7 are Sunday); `*`, `a`, `a-b`, `a/n` (a to the field's top),
 * `a-b/n`, `*\/n` and lists; `L` and `LW` in day-of-month; `5L` (last Friday) and `1#2` (second
 * Monday) in day-of-week. When either day field starts with `*` a day must match both fields,
 * otherwise either. Runs are naive wall-clock minutes strictly after the start minute; the search
 * gives up when no run falls within 50 years of the previous one.
 *
 * Where cronsim only says "Bad day-of-week", the messages here also say what is wrong.
 *
 * @module
 */
import cronstrue from "cronstrue";

/** Result of {@linkcode previewCron}: a description and the next runs, or the error. */
export type CronResult =
  | { ok: true; description: string; next: string[] }
  | { ok: false; error: string };

/** The field names, as cronsim names them in its errors ("Bad day-of-week"). */
const FIELD_NAMES = ["minute", "hour", "day-of-month", "month", "day-of-week"] as const;

/** A cron field's name, or null for an error about the whole expression. */
export type CronField = typeof FIELD_NAMES[number];

/** An expression the scheduler would refuse, naming the field cronsim names. */
class CronError extends Error {
  /** The field cronsim's message names, or null for "Wrong number of fields". */
  field: CronField | null;

  constructor(field: CronField | null, detail: string) {
    super(`Cannot parse cron expression: ${detail}`);
    this.field = field;
  }
}

/** Field positions; minute and hour need no special case. */
const DAY = 2, MONTH = 3, DOW = 4;
const RANGES: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MONTH_NAMES = [
  "JAN",
  "FEB",
  "MAR",
  "APR",
  "MAY",
  "JUN",
  "JUL",
  "AUG",
  "SEP",
  "OCT",
  "NOV",
  "DEC",
];
const DAYS_IN_MONTH = [-1, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Day-of-month markers, as cronsim stores them among the days. */
const LAST = -1000;
const LAST_WEEKDAY = -1001;

/** Python's `str.split()` separators (unlike JavaScript's `\s`, it has \x1c–\x1f and \x85). */
const PY_WHITESPACE =
  // deno-lint-ignore no-control-regex -- Python splits on these control characters too.
  /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

const MAX_COUNT = 50;
const HORIZON_YEARS = 50;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const FROM_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?$/;

/**
 * A day-of-week entry: a day 0–7, `"5L"` (the last Friday) or `"1#2"` (the second Monday).
 * Other fields hold numbers only (and {@linkcode LAST} / {@linkcode LAST_WEEKDAY} for days).
 */
type Item = number | string;

type Cron = {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<Item>;
  /** Either day field starts with `*`: a day must match both. */
  dayAnd: boolean;
};

/** The fields as cronsim sees them: Python's `expr.upper().split()`. */
function splitFields(expr: string): string[] {
  return expr.toUpperCase().split(PY_WHITESPACE).filter((f) => f !== "");
}

/**
 * The stored spelling of an expression: fields separated by one space, as typed otherwise.
 *
 * @param expr A cron expression as typed.
 * @returns The same fields joined by single spaces.
 */
export function normalizeCron(expr: string): string {
  return expr.split(PY_WHITESPACE).filter((f) => f !== "").join(" ");
}

function bad(field: number, detail: string): never {
  throw new CronError(FIELD_NAMES[field], `${FIELD_NAMES[field]} ${detail}`);
}

/** Why cronsim would not read `text` as a number, in words. */
function notANumber(field: number, text: string): never {
  if (text === "") bad(field, "has an empty entry (check for a stray ',', '-', '/' or '#')");
  if (text === "?") bad(field, "'?' is not supported; write '*'");
  if (text.startsWith("H")) bad(field, `'${text}': 'H' (hashed values) is not supported`);
  if (field === DAY && text.endsWith("W")) {
    bad(field, `'${text}': 'W' is supported only as 'LW' (the last weekday of the month)`);
  }
  if (field === DAY && text.includes("L")) {
    bad(field, `'${text}': 'L' and 'LW' must stand alone (e.g. 'L' or '1,L')`);
  }
  const names = field === MONTH ? " or month name (JAN–DEC)" : field === DOW ? " or day name" : "";
  bad(field, `'${text}' is not a number${names}`);
}

/** cronsim's `Field._int`: ASCII digits only. */
function digits(field: number, text: string): number {
  if (!/^[0-9]+$/.test(text)) notANumber(field, text);
  return Number(text);
}

/** cronsim's `Field.int`: a name, or a number within the field's range. */
function value(field: number, text: string): number {
  if (field === MONTH && MONTH_NAMES.includes(text)) return MONTH_NAMES.indexOf(text) + 1;
  if (field === DOW && DAY_NAMES.includes(text)) return DAY_NAMES.indexOf(text);
  const v = digits(field, text);
  const [low, high] = RANGES[field];
  if (v < low || v > high) bad(field, `value ${text} is out of range ${low}–${high}`);
  return v;
}

function span(low: number, high: number, step = 1): number[] {
  const values: number[] = [];
  for (let v = low; v <= high; v += step) values.push(v);
  return values;
}

/** cronsim's `Field.parse`, branch for branch (their order decides what `5L/2` means). */
function parseField(field: number, s: string): Set<Item> {
  if (s === "*") return new Set(span(...RANGES[field]));
  if (s.includes(",")) {
    const result = new Set<Item>();
    for (const term of s.split(",")) parseField(field, term).forEach((v) => result.add(v));
    return result;
  }
  if (field === DOW && s.includes("L")) {
    const day = s.slice(0, -1);
    if (!/^[0-9]+$/.test(day)) {
      bad(
        field,
        `'${s}' is not supported: write the day number before 'L', e.g. '5L' for the last Friday`,
      );
    }
    return new Set([`${value(field, day)}L`]);
  }
  if (s.includes("#") && field === DOW) {
    const at = s.indexOf("#");
    const nth = s.slice(at + 1);
    if (!/^[0-9]+$/.test(nth) || Number(nth) < 1 || Number(nth) > 5) {
      bad(field, `'${s}': the number after '#' must be 1–5`);
    }
    if (/[-/,*]/.test(s.slice(0, at))) {
      bad(field, `'${s}': '#' needs one day before it, e.g. '1#2'`);
    }
    return new Set([`${value(field, s.slice(0, at))}#${Number(nth)}`]);
  }
  if (s.includes("/")) {
    const at = s.indexOf("/");
    const step = Number(s.slice(at + 1));
    if (!/^[0-9]+$/.test(s.slice(at + 1)) || step === 0) {
      bad(field, `'${s}': the step after '/' must be a whole number of at least 1`);
    }
    const items = parseField(field, s.slice(0, at));
    if (items.size === 1 && (items.has(LAST) || items.has(LAST_WEEKDAY))) return items;
    const sorted = [...items as Set<number>].sort((a, b) => a - b);
    // One value (also `a-a`) steps from it to the field's top; several step through themselves.
    const base = sorted.length === 1 ? span(sorted[0], RANGES[field][1]) : sorted;
    return new Set(base.filter((_, i) => i % step === 0));
  }
  if (s.includes("-")) {
    const at = s.indexOf("-");
    const start = value(field, s.slice(0, at));
    const end = value(field, s.slice(at + 1));
    if (end < start) bad(field, `range '${s}' runs backwards; write the lower value first`);
    return new Set(span(start, end));
  }
  if (field === DAY && s === "LW") return new Set([LAST_WEEKDAY]);
  if (field === DAY && s === "L") return new Set([LAST]);
  return new Set([value(field, s)]);
}

function parse(expr: string): Cron {
  const parts = splitFields(expr);
  if (parts.length === 0) throw new CronError(null, "it is empty");
  if (parts.length !== 5) {
    const hint = parts[0]?.startsWith("@")
      ? `; macros such as '${parts[0].toLowerCase()}' are not supported`
      : parts.length === 6
      ? " (a seconds field is not supported)"
      : "";
    throw new CronError(
      null,
      `expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}${hint}`,
    );
  }
  const [minutes, hours, days, months, weekdays] = parts.map((p, f) => parseField(f, p));
  const numbers = (items: Set<Item>) => items as Set<number>;
  const cron: Cron = {
    minutes: numbers(minutes),
    hours: numbers(hours),
    days: numbers(days),
    months: numbers(months),
    weekdays,
    dayAnd: parts[DAY].startsWith("*") || parts[DOW].startsWith("*"),
  };
  const firstDay = Math.min(...cron.days);
  const longest = Math.max(...[...cron.months].map((m) => DAYS_IN_MONTH[m]));
  if (firstDay > 29 && firstDay > longest) {
    bad(DAY, `${firstDay} never occurs in month '${parts[MONTH]}'`);
  }
  return cron;
}

/**
 * Expressions already parsed (or refused), by their text: a page of triggers checks the same few
 * expressions on every row, three times a row. A `Cron` is never changed once parsed.
 */
const PARSED = new Map<string, Cron | CronError>();
const PARSED_LIMIT = 500;

/** {@linkcode parse}, remembered. */
function parsed(expr: string): Cron {
  let entry = PARSED.get(expr);
  if (entry === undefined) {
    try {
      entry = parse(expr);
    } catch (error) {
      if (!(error instanceof CronError)) throw error;
      entry = error;
    }
    if (PARSED.size >= PARSED_LIMIT) PARSED.clear();
    PARSED.set(expr, entry);
  }
  if (entry instanceof CronError) throw entry;
  return entry;
}

// Naive wall-clock times are UTC milliseconds here: no zone, no daylight saving.

function daysIn(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The date of the last Monday–Friday of a month (cronsim's `last_weekday`). */
function lastWeekday(year: number, month: number): number {
  const last = daysIn(year, month);
  const weekday = new Date(Date.UTC(year, month - 1, last)).getUTCDay();
  return weekday === 0 ? last - 2 : weekday === 6 ? last - 1 : last;
}

function matchDom(cron: Cron, d: Date): boolean {
  const [year, month, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
  if (cron.days.has(day)) return true;
  if (cron.days.has(LAST_WEEKDAY) && day === lastWeekday(year, month)) return true;
  return cron.days.has(LAST) && day === daysIn(year, month);
}

function matchDow(cron: Cron, d: Date): boolean {
  const sunday0 = d.getUTCDay();
  const days = [sunday0, sunday0 === 0 ? 7 : sunday0];
  const day = d.getUTCDate();
  const isLast = day + 7 > daysIn(d.getUTCFullYear(), d.getUTCMonth() + 1);
  const nth = Math.floor((day + 6) / 7);
  return days.some((w) =>
    cron.weekdays.has(w) || (isLast && cron.weekdays.has(`${w}L`)) ||
    cron.weekdays.has(`${w}#${nth}`)
  );
}

function matchDay(cron: Cron, d: Date): boolean {
  return cron.dayAnd
    ? matchDom(cron, d) && matchDow(cron, d)
    : matchDom(cron, d) || matchDow(cron, d);
}

function midnight(t: number): number {
  return t - (((t % DAY_MS) + DAY_MS) % DAY_MS);
}

/**
 * The first run strictly after minute `t` (whole minutes), or null when there is none within 50
 * years: cronsim's `__next__`, whose month, day, hour and minute steps each move forward to the
 * next candidate and start over until all four agree.
 */
function next(cron: Cron, t: number): number | null {
  t += MINUTE_MS;
  const startYear = new Date(t).getUTCFullYear();
  for (;;) {
    let d = new Date(t);
    if (!cron.months.has(d.getUTCMonth() + 1)) {
      let year = d.getUTCFullYear(), month = d.getUTCMonth() + 1;
      while (!cron.months.has(month)) {
        [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
      }
      t = Date.UTC(year, month - 1, 1);
      d = new Date(t);
    }
    // Past 50 years cronsim stops; past 9999 Python's datetime cannot go.
    if (d.getUTCFullYear() > Math.min(startYear + HORIZON_YEARS, 9999)) return null;

    if (!matchDay(cron, d)) {
      let day = midnight(t);
      do day += DAY_MS; while (!matchDay(cron, new Date(day)) && new Date(day).getUTCDate() !== 1);
      t = day;
      continue;
    }
    if (!cron.hours.has(d.getUTCHours())) {
      t -= d.getUTCMinutes() * MINUTE_MS;
      do t += 60 * MINUTE_MS; while (
        !cron.hours.has(new Date(t).getUTCHours()) && new Date(t).getUTCHours() !== 0
      );
      continue;
    }
    if (!cron.minutes.has(d.getUTCMinutes())) {
      if (cron.minutes.size === 1) {
        const [target] = cron.minutes;
        t += ((target - d.getUTCMinutes() + 60) % 60) * MINUTE_MS;
      }
      while (!cron.minutes.has(new Date(t).getUTCMinutes())) {
        t += MINUTE_MS;
        if (new Date(t).getUTCMinutes() === 0) break;
      }
      continue;
    }
    return t;
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function format(t: number): string {
  const d = new Date(t);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:00.000000`;
}

/** A naive time in a format {@linkcode nextRuns} accepts, as whole minutes. */
function readFrom(from: string): number {
  const m = FROM_PATTERN.exec(from);
  const [year, month, day, hour, minute, second] = (m ?? []).slice(1).map((s) => Number(s ?? 0));
  const date = new Date(0);
  if (m) date.setUTCFullYear(year, month - 1, day);
  if (
    !m || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 ||
    minute > 59 || second > 59
  ) {
    throw new Error(`Cannot read time: expected YYYY-MM-DD HH:MM:SS, got '${from}'`);
  }
  return date.getTime() + (hour * 60 + minute) * MINUTE_MS;
}

function runsAfter(cron: Cron, { from, count }: { from: string; count: number }): string[] {
  const runs: string[] = [];
  for (let t: number | null = readFrom(from); runs.length < count;) {
    t = next(cron, t);
    if (t === null) break;
    runs.push(format(t));
  }
  return runs;
}

/**
 * Checks a cron expression the way the scheduler (cronsim 2.6) will read it.
 *
 * @param expr The 5-field cron expression.
 * @param options.now When given, an expression with no run within 50 years of it is refused too
 *   (the scheduler fails on such a trigger).
 * @returns null when valid, else a message such as
 *   "Cannot parse cron expression: day-of-week value 8 is out of range 0–7".
 */
export function validateCron(expr: string, options: { now?: string } = {}): string | null {
  try {
    const cron = parsed(expr);
    if (
      options.now !== undefined && runsAfter(cron, { from: options.now, count: 1 }).length === 0
    ) {
      return "Cannot use cron expression: it has no run in the next 50 years.";
    }
    return null;
  } catch (error) {
    if (error instanceof CronError) return error.message;
    throw error;
  }
}

/**
 * The field cronsim would name in its error for `expr` ("Bad day-of-week" → `"day-of-week"`),
 * `null` for "Wrong number of fields", or `undefined` when cronsim accepts it.
 *
 * @param expr The cron expression.
 */
export function cronErrorField(expr: string): CronField | null | undefined {
  try {
    parsed(expr);
    return undefined;
  } catch (error) {
    if (error instanceof CronError) return error.field;
    throw error;
  }
}

/**
 * Computes the next runs after a naive wall-clock time, as repeated `next(CronSim(expr, from))`.
 *
 * Runs are strictly after the minute of `from` (after 10:00:30 comes 10:01). The search gives up
 * when no run falls within 50 years of `from` or of the previous run; only then are fewer than
 * `count` runs, possibly none, returned.
 *
 * @param expr The 5-field cron expression.
 * @param from `YYYY-MM-DD HH:MM:SS.ffffff`, `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD HH:MM` or
 *   `YYYY-MM-DDTHH:MM` (seconds and fractions are ignored).
 * @param count How many runs to return (default 5, at most 50).
 * @returns Run times formatted `YYYY-MM-DD HH:MM:00.000000`, earliest first.
 * @throws {CronError} When `expr` is invalid.
 * @throws {Error} When `from` is not a valid time or `count` not a whole number.
 */
export function nextRuns(expr: string, from: string, count: number = 5): string[] {
  const cron = parsed(expr);
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`Cannot compute next runs: count must be a whole number, got ${count}`);
  }
  return runsAfter(cron, { from, count: Math.min(count, MAX_COUNT) });
}

/**
 * A naive wall-clock time as the whole minute this module computes with: the milliseconds of
 * `Date.UTC` of its local fields (no zone, no daylight saving), seconds dropped.
 *
 * @param text A time in a format {@linkcode nextRuns} accepts.
 * @throws {Error} When `text` is not a valid time.
 */
export function cronMinute(text: string): number {
  return readFrom(text);
}

/**
 * A minute of {@linkcode cronMinute} or {@linkcode cronRunsBetween} as a stored time,
 * `YYYY-MM-DD HH:MM:00.000000`.
 */
export function cronMinuteText(minute: number): string {
  return format(minute);
}

/**
 * Every run after `from` up to and including `until`, as minutes of {@linkcode cronMinute}: the
 * same times as calling {@linkcode nextRuns} again and again from each run, found day by day (a
 * week of a run every minute is 10,080 numbers and costs no more than counting them).
 *
 * @param expr The 5-field cron expression.
 * @param from The runs are strictly after this minute (a format {@linkcode nextRuns} accepts).
 * @param until The last minute the window holds (same formats).
 * @throws {CronError} When `expr` is invalid.
 */
export function cronRunsBetween(
  expr: string,
  { from, until }: { from: string | number; until: string },
): number[] {
  const cron = parsed(expr);
  const start = typeof from === "number" ? from : readFrom(from);
  const end = readFrom(until);
  const hours = [...cron.hours].sort((a, b) => a - b);
  const minutes = [...cron.minutes].sort((a, b) => a - b);
  const runs: number[] = [];
  for (let day = midnight(start); day <= end; day += DAY_MS) {
    const date = new Date(day);
    if (!cron.months.has(date.getUTCMonth() + 1) || !matchDay(cron, date)) continue;
    for (const hour of hours) {
      for (const minute of minutes) {
        const t = day + (hour * 60 + minute) * MINUTE_MS;
        if (t > start && t <= end) runs.push(t);
      }
    }
  }
  return runs;
}

/** Consecutive days as ranges, for cronstrue: [1,2,3,4,5] → "1-5". */
function dayList(days: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < days.length;) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === days[j] + 1) j++;
    parts.push(j - i >= 2 ? `${days[i]}-${days[j]}` : days.slice(i, j + 1).join(","));
    i = j + 1;
  }
  return parts.join(",");
}

/**
 * The day-of-week field as cronstrue reads it correctly: the days cronsim computes (so `1/2`
 * shows Sunday, and 7 is not a second Sunday), with `5L` and `1#2` entries kept.
 */
function plainWeekdays(cron: Cron, field: string): string {
  const special = field.split(",").filter((item) => /[L#]/.test(item));
  const days = [
    ...new Set([...cron.weekdays].filter((w) => typeof w === "number").map((w) => w % 7)),
  ]
    .sort((a, b) => a - b);
  if (days.length === 7) return "*";
  return [dayList(days), ...special].filter((p) => p !== "").join(",");
}

/** cronsim reads `L/n` as `L` and `a-a/n` as `a/n`; cronstrue does not. */
function plainMonthDays(field: string): string {
  return field.split(",").map((item) =>
    item.replace(/^(LW?)\/\d+$/, "$1").replace(
      /^(\d+)-(\d+)(\/\d+)$/,
      (all, a, b, step) => Number(a) === Number(b) ? `${a}${step}` : all,
    )
  ).join(",");
}

function cronstrueText(expr: string): string | null {
  try {
    const text = cronstrue.toString(expr, {
      dayOfWeekStartIndexZero: true,
      use24HourTimeFormat: true,
      verbose: false,
    });
    return text.includes("undefined") ? null : text;
  } catch {
    return null;
  }
}

/** What cronstrue says of one day field alone ("every 2 days in a month"). */
function dayPhrase(expr: string): string | null {
  return cronstrueText(expr)?.replace(/^At 00:00, /, "") ?? null;
}

/**
 * Describes a cron expression in plain English, e.g. "At 09:00, Monday through Friday".
 *
 * When both day fields are restricted, cronstrue joins them with "and" whether cron means both or
 * either; this says which: "only on days that match both: …, and …" or "on days that match either: …, or
 * …".
 *
 * @param expr The 5-field cron expression.
 * @returns The description, or the expression itself when cronstrue cannot describe it.
 * @throws {CronError} When `expr` is invalid.
 */
export function describeCron(expr: string): string {
  const cron = parsed(expr);
  const [minute, hour, dom, month, dow] = splitFields(expr);
  const days = dom === "*" ? "*" : plainMonthDays(dom);
  const weekdays = dow === "*" ? "*" : plainWeekdays(cron, dow);
  const normalized = normalizeCron(expr);
  if (days === "*" || weekdays === "*") {
    return cronstrueText(`${minute} ${hour} ${days} ${month} ${weekdays}`) ?? normalized;
  }
  const time = cronstrueText(`${minute} ${hour} * ${month} *`);
  const onDays = dayPhrase(`0 0 ${days} * *`);
  const onWeekdays = dayPhrase(`0 0 * * ${weekdays}`);
  if (!time || !onDays || !onWeekdays) return normalized;
  return cron.dayAnd
    ? `${time}, only on days that match both: ${onDays}, and ${onWeekdays}`
    : `${time}, on days that match either: ${onDays}, or ${onWeekdays}`;
}

/**
 * Everything the trigger form previews: the description and the next 5 runs, or the error.
 * An expression with no run in the next 50 years is an error, as the scheduler would fail on it.
 *
 * @param expr The 5-field cron expression.
 * @param from The current naive wall-clock time, in a format {@linkcode nextRuns} accepts.
 * @returns `{ ok: true, description, next }` or `{ ok: false, error }`.
 */
export function previewCron(expr: string, from: string): CronResult {
  try {
    const next = nextRuns(expr, from);
    if (next.length === 0) {
      return {
        ok: false,
        error: "Cannot use cron expression: it has no run in the next 50 years.",
      };
    }
    return { ok: true, description: describeCron(expr), next };
  } catch (error) {
    if (error instanceof CronError) return { ok: false, error: error.message };
    throw error;
  }
}
