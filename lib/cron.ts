/**
 * Cron expressions of scheduled triggers, checked and evaluated the way the Python scheduler
 * does it: `croniter(cron_expr, datetime.now()).get_next(datetime)` with croniter's defaults.
 *
 * Only 5-field expressions are accepted: minute, hour, day-of-month, month and day-of-week,
 * with numbers, `*`, ranges `a-b`, steps `*\/n`, `a-b/n` and `a/n`, lists, three-letter month
 * and day names (any case), `L` (last day of the month) in day-of-month, and `L5` (last Friday)
 * and `1#2` (second Monday) in day-of-week. Day-of-week runs 0–7, where 0 and 7 are Sunday.
 * Anything croniter rejects, or accepts with a meaning that differs between croniter versions
 * or from classic cron, is refused with a message naming the field.
 *
 * All times are naive wall-clock times (no time zones, no DST) in the database's text format.
 *
 * @module
 */
import cronstrue from "cronstrue";

/** Result of {@linkcode previewCron}: a description and the next runs, or the error. */
export type CronResult =
  | { ok: true; description: string; next: string[] }
  | { ok: false; error: string };

type Spec = {
  name: string;
  min: number;
  max: number;
  /** Highest value that `*` and `a/n` reach (day-of-week: 6, as 7 is Sunday again). */
  top: number;
  names?: readonly string[];
};

type Cron = {
  minutes: number[];
  hours: number[];
  days: Set<number>;
  lastDay: boolean;
  months: Set<number>;
  weekdays: Set<number>;
  /** `[weekday, n]` for `weekday#n`; n is 0 for `Lweekday` (the last one in the month). */
  nth: [number, number][];
  /** Both day fields are restricted, so a day matching either one is enough. */
  dayOr: boolean;
};

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const MINUTE: Spec = { name: "minute", min: 0, max: 59, top: 59 };
const HOUR: Spec = { name: "hour", min: 0, max: 23, top: 23 };
const DOM: Spec = { name: "day-of-month", min: 1, max: 31, top: 31 };
const MONTH: Spec = { name: "month", min: 1, max: 12, top: 12, names: MONTHS };
const DOW: Spec = { name: "day-of-week", min: 0, max: 7, top: 6, names: DAYS };

/** How far ahead runs are searched; croniter gives up after the same number of years. */
const HORIZON_YEARS = 50;
const MAX_COUNT = 50;
const REFERENCE_DAY = Date.UTC(2001, 0, 1);
const DAY_MS = 86_400_000;
const FROM_PATTERN = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?$/;

function fail(detail: string): never {
  throw new Error(`Cannot parse cron expression: ${detail}`);
}

function value(text: string, spec: Spec): number {
  if (/^\d+$/.test(text)) {
    const n = Number(text);
    if (n < spec.min || n > spec.max) {
      fail(`${spec.name} value ${n} is out of range ${spec.min}–${spec.max}`);
    }
    return n;
  }
  const index = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index >= 0) return spec.min + index;
  const kind = spec.names === MONTHS ? " or month name" : spec.names ? " or day name" : "";
  fail(`${spec.name} value '${text}' is not a number${kind}`);
}

/** Expands one list entry such as `5`, `1-5`, `*\/15`, `10-50/20` or `5/10`. */
function expandItem(item: string, spec: Spec): number[] {
  if (/^h(\W|$)/i.test(item)) fail("'H' is not supported");
  const [range, step, extra] = item.split("/");
  if (extra !== undefined) fail(`${spec.name} '${item}' has more than one '/'`);
  if (step !== undefined && !/^0*[1-9]\d*$/.test(step)) {
    fail(`${spec.name} step '${step}' must be a whole number of at least 1`);
  }
  let low: number;
  let high: number;
  if (range === "*") {
    [low, high] = [spec.min, spec.top];
  } else if (range.includes("-")) {
    const ends = range.split("-");
    if (ends.length !== 2 || ends.includes("")) fail(`${spec.name} range '${range}' is incomplete`);
    [low, high] = [value(ends[0], spec), value(ends[1], spec)];
    // croniter reads a-a as the whole field and wraps a range that runs backwards.
    if (low >= high) fail(`${spec.name} range '${range}' must run from a lower to a higher value`);
  } else {
    low = value(range, spec);
    high = step === undefined ? low : spec.top;
    // croniter reads a/n as a-top/n, and a-a as the whole field.
    if (step !== undefined && low >= high) fail(`${spec.name} '${item}' has nothing to step over`);
  }
  const values: number[] = [];
  for (let v = low; v <= high; v += Number(step ?? 1)) values.push(spec === DOW ? v % 7 : v);
  return values;
}

/** Expands a comma-separated field; `special` may consume an entry by returning true. */
function expandField(
  text: string,
  spec: Spec,
  special: (item: string) => boolean = () => false,
): Set<number> {
  const items = text.split(",");
  const values = new Set<number>();
  for (const item of items) {
    if (item === "") fail(`${spec.name} has an empty list entry`);
    if (items.length > 1 && item.includes("*")) {
      fail(`${spec.name} cannot list '*' together with other values`);
    }
    if (!special(item)) expandItem(item, spec).forEach((v) => values.add(v));
  }
  return values;
}

function sorted(values: Set<number>): number[] {
  return [...values].sort((a, b) => a - b);
}

function parse(expr: string): Cron {
  const text = expr.trim();
  if (text === "") fail("it is empty");
  if (text.startsWith("@")) {
    fail(`macros such as '${text.split(/\s+/)[0]}' are not supported; write the 5 fields`);
  }
  if (text.includes("?")) fail("'?' is not supported");
  const fields = text.split(/\s+/);
  if (fields.length !== 5) {
    const extra = fields.length === 6
      ? " (a seconds field is not supported)"
      : fields.length === 7
      ? " (seconds and year fields are not supported)"
      : "";
    fail(`expected 5 fields, got ${fields.length}${extra}`);
  }
  const [minute, hour, dom, month, dow] = fields;
  const minutes = sorted(expandField(minute, MINUTE));
  const hours = sorted(expandField(hour, HOUR));

  let lastDay = false;
  const days = expandField(dom, DOM, (item) => {
    if (/w/i.test(item)) fail("'W' is not supported");
    if (/^l$/i.test(item)) return (lastDay = true);
    if (/l/i.test(item)) fail("'L' in day-of-month must be a list entry of its own, e.g. '1,L'");
    return false;
  });
  const months = expandField(month, MONTH);

  const nth: [number, number][] = [];
  const weekdays = expandField(dow, DOW, (item) => {
    const hash = /^(\w+)#(\d+)$/.exec(item);
    const last = /^l(\d+)$/i.exec(item);
    if (hash) {
      const n = Number(hash[2]);
      if (n < 1 || n > 5) fail(`day-of-week '${item}' needs a number from 1 to 5 after '#'`);
      nth.push([value(hash[1], DOW) % 7, n]);
    } else if (last) {
      nth.push([value(last[1], DOW) % 7, 0]);
    } else if (/^(\d+|[a-z]{3})l$/i.test(item)) {
      fail(
        `day-of-week '${item}' is not supported; put the L first, e.g. 'L5' for the last Friday`,
      );
    } else if (item.includes("#")) {
      fail(`day-of-week '${item}' needs a single day before '#', e.g. '1#2'`);
    }
    return hash !== null || last !== null;
  });
  if (nth.length > 0 && weekdays.size > 0) {
    fail("day-of-week cannot mix plain days with '#' or 'L' entries");
  }

  // croniter treats a day-of-month list of 31 entries as '*', even '2-31,L'.
  const everyDay = days.size + (lastDay ? 1 : 0) >= 31;
  const dayOr = dom !== "*" && dow !== "*";
  if (dayOr) {
    // Both day fields restricted: croniter runs on days matching either field. Refuse the forms
    // where classic cron (AND when a field starts with '*') or older croniter versions (which
    // read a field covering its whole range as '*') would run on other days.
    if (nth.length > 0) fail("'#' and 'L' in day-of-week need '*' in day-of-month");
    if (dom.startsWith("*") || dow.startsWith("*")) {
      fail(
        `day-of-month '${dom}' with day-of-week '${dow}' is ambiguous (cron versions disagree ` +
          "whether a day must match both or either); use '*' in one of them or list the days",
      );
    }
    if (everyDay || weekdays.size === 7) {
      const [name, field] = everyDay ? ["day-of-month", dom] : ["day-of-week", dow];
      fail(`${name} '${field}' covers every day; write '*' instead`);
    }
  }

  const cron: Cron = {
    minutes,
    hours,
    days: everyDay ? expandField("*", DOM) : days,
    lastDay,
    months,
    weekdays,
    nth,
    dayOr,
  };
  // The years from 2001 on hold every kind of year (leap or not, starting on any weekday) within
  // the search horizon. croniter first searches each restricted day field on its own and fails
  // when day-of-month never occurs in the months, whatever day-of-week allows.
  const domOnly: Cron = { ...cron, weekdays: expandField("*", DOW), dayOr: false };
  if (dayOr && search(domOnly, REFERENCE_DAY, 0, 1).length === 0) {
    fail(`day-of-month '${dom}' never occurs in month '${month}'`);
  }
  if (search(cron, REFERENCE_DAY, 0, 1).length === 0) fail("it never matches a real date");
  return cron;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Whether `day` is the `n`th (1–5) of its weekday in the month, or the last one when n is 0. */
function isNth(day: number, n: number, length: number): boolean {
  return n === 0 ? day > length - 7 : Math.ceil(day / 7) === n;
}

function dayMatches(cron: Cron, date: Date): boolean {
  const [year, month, day] = [date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()];
  if (!cron.months.has(month)) return false;
  const length = daysInMonth(year, month);
  const weekday = date.getUTCDay();
  const domHit = cron.days.has(day) || (cron.lastDay && day === length);
  const dowHit = cron.nth.length > 0
    ? cron.nth.some(([w, n]) => w === weekday && isNth(day, n, length))
    : cron.weekdays.has(weekday);
  return cron.dayOr ? domHit || dowHit : domHit && dowHit;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** The start of the day `t` falls on, plus the search horizon in whole calendar years. */
function horizonEnd(t: number): number {
  const end = new Date(t);
  end.setUTCFullYear(Math.min(end.getUTCFullYear() + HORIZON_YEARS + 1, 10_000), 0, 1);
  return end.getTime();
}

/**
 * Up to `count` runs, starting `firstMinute` minutes into the day that starts at `dayStart`.
 * Like croniter, gives up when no run falls within 50 calendar years of the start or the
 * previous run.
 */
function search(cron: Cron, dayStart: number, firstMinute: number, count: number): string[] {
  const runs: string[] = [];
  for (let t = dayStart, end = horizonEnd(t); t < end && count > 0; t += DAY_MS) {
    const date = new Date(t);
    if (!dayMatches(cron, date)) continue;
    end = horizonEnd(t);
    const day = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${
      pad(date.getUTCDate())
    }`;
    for (const hour of cron.hours) {
      for (const minute of cron.minutes) {
        if (t === dayStart && hour * 60 + minute < firstMinute) continue;
        runs.push(`${day} ${pad(hour)}:${pad(minute)}:00.000000`);
        if (runs.length >= count) return runs;
      }
    }
  }
  return runs;
}

/**
 * Checks a cron expression the way the scheduler (croniter) will read it.
 *
 * @param expr The 5-field cron expression.
 * @returns null when valid, else a message such as
 *   "Cannot parse cron expression: day-of-week value 8 is out of range 0–7".
 */
export function validateCron(expr: string): string | null {
  try {
    parse(expr);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Computes the next runs after a naive wall-clock time, as croniter's `get_next` would.
 *
 * Runs are strictly after the minute of `from` (after 10:00:30 comes 10:01; after 10:00:00 the
 * earliest is 10:01 too). Like croniter, the search gives up when no run falls within 50
 * calendar years of `from` or of the previous run, or after the year 9999; only then are fewer
 * than `count` runs, possibly none, returned. Expressions that never match a real date are
 * invalid and throw.
 *
 * @param expr The 5-field cron expression.
 * @param from `YYYY-MM-DD HH:MM:SS.ffffff`, `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DD HH:MM` or
 *   `YYYY-MM-DDTHH:MM` (seconds and fractions are ignored).
 * @param count How many runs to return (default 5, at most 50).
 * @returns Run times formatted `YYYY-MM-DD HH:MM:00.000000`, earliest first.
 * @throws {Error} With the {@linkcode validateCron} message when `expr` is invalid, or when
 *   `from` is not a valid time.
 */
export function nextRuns(expr: string, from: string, count: number = 5): string[] {
  const cron = parse(expr);
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
  if (!Number.isInteger(count) || count < 0) {
    throw new Error(`Cannot compute next runs: count must be a whole number, got ${count}`);
  }
  return search(cron, date.getTime(), hour * 60 + minute + 1, Math.min(count, MAX_COUNT));
}

/**
 * Describes a cron expression in plain English, e.g. "At 09:00, Monday through Friday".
 *
 * @param expr The 5-field cron expression.
 * @returns The description, or the expression itself when cronstrue cannot describe it.
 * @throws {Error} With the {@linkcode validateCron} message when `expr` is invalid.
 */
export function describeCron(expr: string): string {
  parse(expr);
  const normalized = expr.trim().split(/\s+/).join(" ");
  try {
    const description = cronstrue.toString(normalized.toUpperCase(), {
      dayOfWeekStartIndexZero: true,
      use24HourTimeFormat: true,
      verbose: false,
    });
    return description.includes("undefined") ? normalized : description;
  } catch {
    return normalized;
  }
}

/**
 * Everything the trigger form previews: the description and the next 5 runs, or the error.
 *
 * @param expr The 5-field cron expression.
 * @param from The current naive wall-clock time, in a format {@linkcode nextRuns} accepts.
 * @returns `{ ok: true, description, next }` or `{ ok: false, error }`.
 */
export function previewCron(expr: string, from: string): CronResult {
  try {
    return { ok: true, description: describeCron(expr), next: nextRuns(expr, from) };
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
}
