/**
 * Queries for `Schedulers(machine_name, last_update, latest_trigger, latest_trigger_time)`:
 * every scheduler machine upserts its row every ~6 s while it runs.
 * @module
 */
import { formatDbTime } from "../lib/time.ts";
import { type Executor, time } from "./connection.ts";

/** A machine is online when it pinged within this many seconds… */
export const ONLINE_SECONDS = 60;
/** …and stale (not offline yet) within this many. */
export const STALE_SECONDS = 5 * 60;

/** How many scheduler machines are online, stale and offline. */
export type SchedulerCounts = { online: number; stale: number; offline: number };

/** Counts the machines by how recently they pinged. */
export async function schedulerCounts(
  db: Executor,
  now: Date = new Date(),
): Promise<SchedulerCounts> {
  const since = (seconds: number) => time(formatDbTime(new Date(now.getTime() - seconds * 1000)));
  const [row] = await db.query<{ online: number | null; stale: number | null; total: number }>(
    `SELECT SUM(CASE WHEN last_update >= ? THEN 1 ELSE 0 END) AS online,
            SUM(CASE WHEN last_update < ? AND last_update >= ? THEN 1 ELSE 0 END) AS stale,
            COUNT(*) AS total
       FROM Schedulers`,
    [since(ONLINE_SECONDS), since(ONLINE_SECONDS), since(STALE_SECONDS)],
  );
  const online = Number(row.online ?? 0);
  const stale = Number(row.stale ?? 0);
  return { online, stale, offline: Number(row.total) - online - stale };
}
