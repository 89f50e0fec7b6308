/**
 * How one queue performs, per day: elements done and failed, how long they took (median and 95th
 * percentile of end − start), arrivals against elements that ended, and the oldest element still
 * new. Days are the date part of the stored naive wall-clock times, like every other view.
 *
 * A range of days is three index range reads of this queue (`queue_name, status, end_date,
 * start_date` and `queue_name, status, created_date`) grouped by day; the percentiles are picked
 * in SQL by rank, so two rows per day come back. The days before today do not change (but for a
 * retry, which clears an element's end): the poller reads them per queue, as scans, and keeps
 * them for up to an hour; today is read in quick reads, once a round while the poller runs.
 * @module
 */
import { QUEUE_STATUSES } from "../lib/queue_status.ts";
import { type DbTime, formatDbTime, shiftTime } from "../lib/time.ts";
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

function midnight(day: string): DbTime {
  return `${day} 00:00:00.000000`;
}

/** Milliseconds from `start` to `end`, in SQL (`DATEDIFF_BIG`: SQL Server 2016 and later). */
function msBetween(db: Executor, { start, end }: { start: string; end: string }): string {
  return db.dialect.name === "sqlite"
    ? `CAST(round((julianday(${end}) - julianday(${start})) * 86400000) AS INTEGER)`
    : `DATEDIFF_BIG(millisecond, ${start}, ${end})`;
}

/**
 * Every day from `from` up to (not including) `until` of a queue, in three index range reads
 * grouped by day: the elements that ended by status, the elements created, and the processing
 * times at the median's and the 95th percentile's rank (nearest rank: the ⌈p·n⌉-th shortest)
 * among those done or failed with a start before their end.
 * @param options.scan the days go through many elements (the days before today): a scan
 */
async function readDays(
  db: Executor,
  range: { queue: string; from: string; until: string },
  options: { scan: boolean },
): Promise<PerformanceDay[]> {
  const { queue, from, until } = range;
  const params = [queue, time(midnight(from)), time(midnight(until))];
  const read = { scan: options.scan };
  const ended = db.dialect.day("end_date");
  const endedRows = await db.query<{ day: string; status: string; n: number }>(
    `SELECT ${ended} AS day, status, COUNT(*) AS n FROM Queues
      WHERE queue_name = ? AND status IN ('DONE', 'FAILED', 'ABANDONED')
        AND end_date >= ? AND end_date < ?
      GROUP BY ${ended}, status`,
    params,
    read,
  );
  const statuses = QUEUE_STATUSES.map((s) => `'${s}'`).join(", ");
  const created = db.dialect.day("created_date");
  const arrivedRows = await db.query<{ day: string; n: number }>(
    `SELECT ${created} AS day, COUNT(*) AS n FROM Queues
      WHERE queue_name = ? AND status IN (${statuses}) AND created_date >= ? AND created_date < ?
      GROUP BY ${created}`,
    params,
    read,
  );
  const ranked = await db.query<{ day: string; rn: number; n: number; ms: number }>(
    `SELECT day, rn, n, ms FROM (
       SELECT day, ms, ROW_NUMBER() OVER (PARTITION BY day ORDER BY ms) AS rn,
              COUNT(*) OVER (PARTITION BY day) AS n
         FROM (SELECT ${ended} AS day,
                      ${msBetween(db, { start: "start_date", end: "end_date" })} AS ms
                 FROM Queues
                WHERE queue_name = ? AND status IN ('DONE', 'FAILED')
                  AND end_date >= ? AND end_date < ? AND start_date <= end_date) AS timed
     ) AS ranked
     WHERE rn = (n * 50 + 99) / 100 OR rn = (n * 95 + 99) / 100`,
    params,
    read,
  );
  const days: PerformanceDay[] = [];
  for (let day = from; day < until; day = nextDay(day)) {
    const count = (status: string) =>
      Number(endedRows.find((r) => r.day === day && r.status === status)?.n ?? 0);
    const at = (p: number) => {
      const row = ranked.find((r) =>
        r.day === day && Number(r.rn) === Math.floor((Number(r.n) * p + 99) / 100)
      );
      return row ? Number(row.ms) : null;
    };
    days.push({
      day,
      done: count("DONE"),
      failed: count("FAILED"),
      abandoned: count("ABANDONED"),
      arrived: Number(arrivedRows.find((r) => r.day === day)?.n ?? 0),
      medianMs: at(50),
      p95Ms: at(95),
    });
  }
  return days;
}

function nextDay(day: string): string {
  return shiftTime(midnight(day), 86_400_000).slice(0, 10);
}

/** The days before today of a queue, oldest first, and when they were read (ms since the epoch). */
export type PastDays = { days: PerformanceDay[]; readAt: number };

/** The most days before today a view shows. */
const PAST_DAYS = Math.max(...PERFORMANCE_SPANS) - 1;

/** The `count` days before the day of `now`, oldest first. */
function daysBefore(now: Date, count: number): string[] {
  const nowText = formatDbTime(now);
  return Array.from(
    { length: count },
    (_, i) => shiftTime(nowText, -(count - i) * 86_400_000).slice(0, 10),
  );
}

/**
 * Reads the days before today of a queue (as many as the longest span shows), in three scans.
 * The poller keeps them per queue (see {@linkcode pastDaysFresh}); a view reads today alone.
 */
export async function readPastDays(
  db: Executor,
  queue: string,
  options: { now?: Date } = {},
): Promise<PastDays> {
  const now = options.now ?? new Date();
  const days = daysBefore(now, PAST_DAYS);
  const read = { queue, from: days[0], until: nextDay(days.at(-1)!) };
  return { days: await readDays(db, read, { scan: true }), readAt: now.getTime() };
}

/**
 * Whether kept days before today still stand at `now`: read within the hour (a retry can still
 * change them), and up to yesterday (not read before a midnight since).
 */
export function pastDaysFresh(past: PastDays | undefined, now: Date): past is PastDays {
  return past !== undefined && now.getTime() - past.readAt < PAST_DAYS_RECOUNT_MS &&
    past.days.at(-1)?.day === daysBefore(now, 1)[0];
}

/** A queue's day so far and its oldest new element: what a view reads besides the kept days. */
export type Today = { day: PerformanceDay; oldestNew: DbTime | null };

/** Reads a queue's day so far (three quick reads) and its oldest new element. */
export async function readToday(
  db: Executor,
  queue: string,
  options: { now?: Date } = {},
): Promise<Today> {
  const today = formatDbTime(options.now ?? new Date()).slice(0, 10);
  const [day] = await readDays(db, { queue, from: today, until: nextDay(today) }, { scan: false });
  const [oldest] = await db.query<{ oldest: DbTime | null }>(
    "SELECT MIN(created_date) AS oldest FROM Queues WHERE queue_name = ? AND status = 'NEW'",
    [queue],
  );
  return { day, oldestNew: oldest?.oldest ?? null };
}

/**
 * Reads a queue's performance over the `span` days ending today: the days before from `past`
 * (what the poller keeps) while it is fresh, and today from `today` (what the poller keeps for
 * the round) while it is of the same day; what is missing is read here.
 */
export async function readQueuePerformance(
  db: Executor,
  queue: string,
  options: { span: PerformanceSpan; now?: Date; past?: PastDays; today?: Today },
): Promise<QueuePerformance> {
  const now = options.now ?? new Date();
  const nowText = formatDbTime(now);
  const past = pastDaysFresh(options.past, now)
    ? options.past
    : await readPastDays(db, queue, { now });
  const today = options.today?.day.day === nowText.slice(0, 10)
    ? options.today
    : await readToday(db, queue, { now });
  return {
    queue,
    span: options.span,
    now: nowText,
    days: [...past.days.slice(-(options.span - 1)), today.day],
    oldestNew: today.oldestNew,
  };
}
