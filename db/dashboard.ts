/**
 * The dashboard's reads, done by the poller once a round for every viewer: what failed since the
 * last working day (error logs, failed queue elements), triggers that failed, were killed or are
 * overdue, scheduler machines offline, and done/failed elements per day for the last 7 days.
 * Each read is one index range over a few days of rows, or a small table.
 * @module
 */
import { type DbTime, formatDbTime } from "../lib/time.ts";
import { type DashboardWindow, shiftTime, windowStart } from "../lib/window.ts";
import { type Executor, time } from "./connection.ts";
import { pause } from "./keyset.ts";
import { STALE_SECONDS } from "./schedulers.ts";

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
};

/** A trigger is overdue when it is idle and its next run is this far past. */
export const OVERDUE_MS = 5 * 60_000;

/** The columns of an overdue trigger (named: a compound query orders by result names). */
const OVERDUE_COLUMNS =
  "t.id AS id, t.trigger_name AS trigger_name, t.process_name AS process_name, " +
  "t.process_status AS process_status, t.type AS type, s.next_run AS moment";

/** The most rows any dashboard list shows. */
const LIST_CAP = 200;

function counts(rows: GroupCount[]): GroupCount[] {
  return rows.map((r) => ({ ...r, n: Number(r.n) }));
}

/** Reads the dashboard, for the failures since the start of `window` (the last working day). */
export async function readDashboard(
  db: Executor,
  now: Date = new Date(),
  window: DashboardWindow = "workday",
): Promise<Dashboard> {
  const nowText = formatDbTime(now);
  // Whole minutes, so that the filtered views the dashboard links to match its counts exactly.
  const since = windowStart(window, nowText);
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
  const firstDay = `${shiftTime(nowText, -6 * 86_400_000).slice(0, 10)} 00:00:00.000000`;
  const day = db.dialect.name === "sqlite"
    ? "substr(end_date, 1, 10)"
    : "CONVERT(char(10), end_date, 23)";
  const perDay = await db.query<{ day: string; status: string; n: number }>(
    `SELECT ${day} AS day, status, COUNT(*) AS n FROM Queues
      WHERE status IN ('DONE', 'FAILED') AND end_date >= ? GROUP BY ${day}, status`,
    [time(firstDay)],
  );
  const chart: ChartDay[] = [];
  for (let i = 6; i >= 0; i--) {
    const d = shiftTime(nowText, -i * 86_400_000).slice(0, 10);
    const of = (status: string) =>
      Number(perDay.find((r) => r.day === d && r.status === status)?.n ?? 0);
    chart.push({ day: d, done: of("DONE"), failed: of("FAILED") });
  }
  return {
    now: nowText,
    since,
    errorLogs: counts(errorLogs),
    failedElements: counts(failedElements),
    failedTriggers,
    overdueTriggers,
    offlineSchedulers,
    chart,
  };
}
