/**
 * The dashboard's reads, done by the poller once a round for every viewer: what failed since the
 * last working day (error logs, failed queue elements), triggers that failed, were killed or are
 * overdue, scheduler machines offline, and done/failed elements per day for the last 7 days.
 * Each read is one index range over a few days of rows, or a small table.
 * @module
 */
import { type DbTime, formatDbTime, shiftTime } from "../lib/time.ts";
import { type Executor, pause, time } from "./connection.ts";
import { STALE_SECONDS } from "./schedulers.ts";
import { type DashboardWindow, windowStart } from "../lib/dashboard_window.ts";

/** A trigger that needs attention. */
export type TriggerProblem = {
  id: string;
  trigger_name: string;
  process_name: string;
  process_status: string;
  type: string;
  /** `last_run` for failed and killed triggers, `next_run` for overdue ones. */
  moment: DbTime | null;
};

/** A count of some group and its newest time. */
export type GroupCount = { name: string; n: number; last: DbTime };

/** One day of the chart. */
export type ChartDay = { day: string; done: number; failed: number };

/** Everything the dashboard shows. */
export type Dashboard = {
  now: DbTime;
  /** Where "since the last working day" starts. */
  since: DbTime;
  errorLogs: GroupCount[];
  failedElements: GroupCount[];
  failedTriggers: TriggerProblem[];
  overdueTriggers: TriggerProblem[];
  offlineSchedulers: { machine_name: string; last_update: DbTime }[];
  /** The last 7 days, oldest first. */
  chart: ChartDay[];
  /** The 6 days before today, as last counted, and when (ms since the epoch). */
  pastDays: { days: ChartDay[]; readAt: number };
};

/** How often the days before today are counted again (a retry can still change them). */
export const PAST_DAYS_RECOUNT_MS = 60 * 60_000;

/** A trigger is overdue when it is idle and its next run is this far past. */
const OVERDUE_MS = 5 * 60_000;

/** The columns of an overdue trigger (named: a compound query orders by result names). */
const OVERDUE_COLUMNS =
  "t.id AS id, t.trigger_name AS trigger_name, t.process_name AS process_name, " +
  "t.process_status AS process_status, t.type AS type, s.next_run AS moment";

/** The most rows any dashboard list shows. */
const LIST_CAP = 200;

function counts(rows: GroupCount[]): GroupCount[] {
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** Done and failed elements per day, from `from` (inclusive) on. */
async function countPerDay(
  db: Executor,
  range: { from: DbTime; until?: DbTime },
): Promise<{ day: string; status: string; n: number }[]> {
  const day = db.dialect.day("end_date");
  const until = range.until ? " AND end_date < ?" : "";
  return await db.query<{ day: string; status: string; n: number }>(
    `SELECT ${day} AS day, status, COUNT(*) AS n FROM Queues
      WHERE status IN ('DONE', 'FAILED') AND end_date >= ?${until} GROUP BY ${day}, status`,
    range.until ? [time(range.from), time(range.until)] : [time(range.from)],
  );
}

function chartDays(days: string[], counts: { day: string; status: string; n: number }[]) {
  const of = (d: string, status: string) =>
    Number(counts.find((r) => r.day === d && r.status === status)?.n ?? 0);
  return days.map((d) => ({ day: d, done: of(d, "DONE"), failed: of(d, "FAILED") }));
}

/**
 * Reads the dashboard, for the failures since the start of `window` (default: the last working
 * day). The chart's days before today are taken from `previous` while they are recent enough: a
 * round then counts only today's elements.
 */
export async function readDashboard(
  db: Executor,
  options: { now?: Date; previous?: Dashboard; window?: DashboardWindow } = {},
): Promise<Dashboard> {
  const now = options.now ?? new Date();
  const nowText = formatDbTime(now);
  // Whole minutes, so that the filtered views the dashboard links to match its counts exactly.
  const since = windowStart(options.window ?? "workday", nowText);
  const page = db.dialect.page(LIST_CAP, 0);
  const errorLogs = await db.query<GroupCount>(
    `SELECT process_name AS name, COUNT(*) AS n, MAX(log_time) AS last FROM Logs
      WHERE log_level = 'ERROR' AND log_time >= ? GROUP BY process_name ORDER BY name${page}`,
    [time(since)],
  );
  await pause();
  const failedElements = await db.query<GroupCount>(
    `SELECT queue_name AS name, COUNT(*) AS n, MAX(end_date) AS last FROM Queues
      WHERE status = 'FAILED' AND end_date >= ? GROUP BY queue_name ORDER BY name${page}`,
    [time(since)],
  );
  const failedTriggers = await db.query<TriggerProblem>(
    `SELECT id, trigger_name, process_name, process_status, type, last_run AS moment FROM Triggers
      WHERE process_status IN ('FAILED', 'KILLED') ORDER BY trigger_name, id${page}`,
  );
  await pause();
  const overdue = time(shiftTime(nowText, -OVERDUE_MS));
  const overdueTriggers = await db.query<TriggerProblem>(
    `SELECT ${OVERDUE_COLUMNS} FROM Triggers t JOIN Scheduled_Triggers s ON s.id = t.id
      WHERE t.process_status = 'IDLE' AND s.next_run < ?
     UNION ALL
     SELECT ${OVERDUE_COLUMNS} FROM Triggers t JOIN Single_Triggers s ON s.id = t.id
      WHERE t.process_status = 'IDLE' AND s.next_run < ?
      ORDER BY moment, id${page}`,
    [overdue, overdue],
  );
  const offlineSchedulers = await db.query<{ machine_name: string; last_update: DbTime }>(
    `SELECT machine_name, last_update FROM Schedulers WHERE last_update < ?
      ORDER BY last_update DESC, machine_name${page}`,
    [time(shiftTime(nowText, -STALE_SECONDS * 1000))],
  );
  await pause();
  const days = [6, 5, 4, 3, 2, 1, 0].map((i) => shiftTime(nowText, -i * 86_400_000).slice(0, 10));
  const today = `${days[6]} 00:00:00.000000`;
  const kept = options.previous?.pastDays;
  const pastDays = kept && kept.days[0]?.day === days[0] &&
      now.getTime() - kept.readAt < PAST_DAYS_RECOUNT_MS
    ? kept
    : {
      days: chartDays(
        days.slice(0, 6),
        await countPerDay(db, { from: `${days[0]} 00:00:00.000000`, until: today }),
      ),
      readAt: now.getTime(),
    };
  const chart = [...pastDays.days, ...chartDays([days[6]], await countPerDay(db, { from: today }))];
  return {
    now: nowText,
    since,
    errorLogs: counts(errorLogs),
    failedElements: counts(failedElements),
    failedTriggers,
    overdueTriggers,
    offlineSchedulers,
    chart,
    pastDays,
  };
}
