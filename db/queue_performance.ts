/**
 * How one queue performs, per day: elements done and failed, how long they took (median and 95th
 * percentile of end − start), arrivals against elements that ended, and the oldest element still
 * new. Days are the date part of the stored naive wall-clock times, like every other view.
 *
 * Each read is an index range of this queue (`queue_name, status, end_date, start_date` and
 * `queue_name, status, created_date`); the percentiles are picked in SQL by rank within each day,
 * so only two rows a day come back. The days before today do not change (but for a retry, which
 * clears an element's end), so they are taken from the previous read for up to an hour: a request
 * then reads today alone.
 * @module
 */
import { QUEUE_STATUSES } from "../lib/queue_status.ts";
import { type DbTime, formatDbTime } from "../lib/time.ts";
import { shiftTime } from "../lib/window.ts";
import { type Executor, time } from "./connection.ts";
import { PAST_DAYS_RECOUNT_MS } from "./dashboard.ts";

/** The spans the view offers, in days (today included). */
export const PERFORMANCE_SPANS = [7, 30] as const;

/** A span the view offers. */
export type PerformanceSpan = typeof PERFORMANCE_SPANS[number];

/** One day of a queue. */
export type PerformanceDay = {
  /** `YYYY-MM-DD`. */
  day: string;
  done: number;
  failed: number;
  abandoned: number;
  /** Elements created that day (whatever their status now). */
  arrived: number;
  /** Median processing time (end − start, ms) of the elements done or failed that day. */
  medianMs: number | null;
  /** 95th percentile (nearest rank) of the same. */
  p95Ms: number | null;
};

/** A queue's performance over a span, oldest day first. */
export type QueuePerformance = {
  queue: string;
  span: PerformanceSpan;
  now: DbTime;
  days: PerformanceDay[];
  /** When the oldest element still new was created. */
  oldestNew: DbTime | null;
  /** The days before today as last read, and when (ms since the epoch). */
  pastDays: { days: PerformanceDay[]; readAt: number };
};

/** Elements that ended in a day (done, failed or abandoned): they left the backlog. */
export function endedOf(day: PerformanceDay): number {
  return day.done + day.failed + day.abandoned;
}

/** The elements that arrived and that ended over the whole span. */
export function backlogOf(perf: QueuePerformance): { arrived: number; ended: number } {
  return {
    arrived: perf.days.reduce((sum, d) => sum + d.arrived, 0),
    ended: perf.days.reduce((sum, d) => sum + endedOf(d), 0),
  };
}

/** A day's range: from its midnight (inclusive) to the next (exclusive). */
type Range = { from: DbTime; until: DbTime };

function midnight(day: string): DbTime {
  return `${day} 00:00:00.000000`;
}

/** The date part of a time column, in SQL. */
function dayOf(db: Executor, column: string): string {
  return db.dialect.name === "sqlite"
    ? `substr(${column}, 1, 10)`
    : `CONVERT(char(10), ${column}, 23)`;
}

/** Milliseconds from `start` to `end`, in SQL (`DATEDIFF_BIG`: SQL Server 2016 and later). */
function msBetween(db: Executor, start: string, end: string): string {
  return db.dialect.name === "sqlite"
    ? `CAST(round((julianday(${end}) - julianday(${start})) * 86400000) AS INTEGER)`
    : `DATEDIFF_BIG(millisecond, ${start}, ${end})`;
}

type Counted = { day: string; status: string; n: number };

/** Elements that ended per day and status (one index range per status). */
function endedPerDay(db: Executor, queue: string, range: Range): Promise<Counted[]> {
  const day = dayOf(db, "end_date");
  return db.query<Counted>(
    `SELECT ${day} AS day, status, COUNT(*) AS n FROM Queues
      WHERE queue_name = ? AND status IN ('DONE', 'FAILED', 'ABANDONED')
        AND end_date >= ? AND end_date < ?
      GROUP BY ${day}, status`,
    [queue, time(range.from), time(range.until)],
  );
}

/** Elements created per day (one index range per status). */
function arrivedPerDay(db: Executor, queue: string, range: Range): Promise<Counted[]> {
  const day = dayOf(db, "created_date");
  const statuses = QUEUE_STATUSES.map((s) => `'${s}'`).join(", ");
  return db.query<Counted>(
    `SELECT ${day} AS day, 'ARRIVED' AS status, COUNT(*) AS n FROM Queues
      WHERE queue_name = ? AND status IN (${statuses}) AND created_date >= ? AND created_date < ?
      GROUP BY ${day}`,
    [queue, time(range.from), time(range.until)],
  );
}

type Ranked = { day: string; rn: number; n: number; ms: number };

/**
 * Per day, the processing times at the median's and the 95th percentile's rank (nearest rank:
 * the ⌈p·n⌉-th shortest) among the elements done or failed that day with a start before their end.
 */
function percentilesPerDay(db: Executor, queue: string, range: Range): Promise<Ranked[]> {
  return db.query<Ranked>(
    `SELECT day, rn, n, ms FROM (
       SELECT day, ms, ROW_NUMBER() OVER (PARTITION BY day ORDER BY ms) AS rn,
              COUNT(*) OVER (PARTITION BY day) AS n
         FROM (SELECT ${dayOf(db, "end_date")} AS day, ${
      msBetween(db, "start_date", "end_date")
    } AS ms
                 FROM Queues
                WHERE queue_name = ? AND status IN ('DONE', 'FAILED')
                  AND end_date >= ? AND end_date < ? AND start_date <= end_date) AS ended
     ) AS ranked
     WHERE rn = (n * 50 + 99) / 100 OR rn = (n * 95 + 99) / 100`,
    [queue, time(range.from), time(range.until)],
  );
}

/** Reads the days of a range (all of them, in order) in three index range reads. */
async function readDays(db: Executor, queue: string, days: string[]): Promise<PerformanceDay[]> {
  if (days.length === 0) return [];
  const range = {
    from: midnight(days[0]),
    until: shiftTime(midnight(days[days.length - 1]), 86_400_000),
  };
  const counted = [
    ...await endedPerDay(db, queue, range),
    ...await arrivedPerDay(db, queue, range),
  ];
  const ranked = await percentilesPerDay(db, queue, range);
  const count = (day: string, status: string) =>
    Number(counted.find((r) => r.day === day && r.status === status)?.n ?? 0);
  const at = (day: string, p: number) => {
    const row = ranked.find((r) =>
      r.day === day && Number(r.rn) === Math.floor((Number(r.n) * p + 99) / 100)
    );
    return row ? Number(row.ms) : null;
  };
  return days.map((day) => ({
    day,
    done: count(day, "DONE"),
    failed: count(day, "FAILED"),
    abandoned: count(day, "ABANDONED"),
    arrived: count(day, "ARRIVED"),
    medianMs: at(day, 50),
    p95Ms: at(day, 95),
  }));
}

/**
 * Reads a queue's performance over the `span` days ending today. The days before today come from
 * `previous` (the same queue and span) while it was read within the hour and today is the same
 * day; otherwise they are read again.
 */
export async function readQueuePerformance(
  db: Executor,
  queue: string,
  options: { span: PerformanceSpan; now?: Date; previous?: QueuePerformance },
): Promise<QueuePerformance> {
  const now = options.now ?? new Date();
  const nowText = formatDbTime(now);
  const days = Array.from(
    { length: options.span },
    (_, i) => shiftTime(nowText, -(options.span - 1 - i) * 86_400_000).slice(0, 10),
  );
  const today = days[days.length - 1];
  const kept = options.previous?.pastDays;
  const pastDays = options.previous?.queue === queue && options.previous.span === options.span &&
      kept && kept.days[0]?.day === days[0] && now.getTime() - kept.readAt < PAST_DAYS_RECOUNT_MS
    ? kept
    : { days: await readDays(db, queue, days.slice(0, -1)), readAt: now.getTime() };
  const [oldest] = await db.query<{ oldest: DbTime | null }>(
    "SELECT MIN(created_date) AS oldest FROM Queues WHERE queue_name = ? AND status = 'NEW'",
    [queue],
  );
  return {
    queue,
    span: options.span,
    now: nowText,
    days: [...pastDays.days, ...await readDays(db, queue, [today])],
    oldestNew: oldest?.oldest ?? null,
    pastDays,
  };
}
