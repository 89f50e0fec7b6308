/**
 * The reads of the schedule forecast (`lib/forecast.ts` computes it): every trigger, every
 * scheduler machine with its state, and, where the database has a `Jobs` table, how long each
 * process's recent runs took.
 * @module
 */
import type { ForecastMachine } from "../lib/forecast.ts";
import { formatDbTime } from "../lib/time.ts";
import { type Db, time } from "./connection.ts";
import { schedulerState } from "./schedulers.ts";
import { allTriggers, type Trigger } from "./triggers.ts";

/** How far back finished jobs tell a process's usual run time. */
const JOBS_DAYS = 14;
/** The most finished jobs read for it (the newest). */
const JOBS_LIMIT = 5_000;

/** A finished job: its process and when it started and ended. */
export type FinishedJob = { process_name: string; start_time: string; end_time: string };

/** What the forecast is read from (the queues' new elements come from the poller). */
export type ForecastReads = {
  triggers: Trigger[];
  machines: ForecastMachine[];
  /** Done jobs of the last 14 days, newest first; empty without a `Jobs` table. */
  jobs: FinishedJob[];
};

/** Reads the triggers, the machines and the recent finished jobs. */
export async function readForecast(db: Db, now: Date = new Date()): Promise<ForecastReads> {
  const triggers = await allTriggers(db);
  const machines = await db.query<{ machine_name: string; last_update: string }>(
    "SELECT machine_name, last_update FROM Schedulers ORDER BY machine_name",
  );
  const since = formatDbTime(new Date(now.getTime() - JOBS_DAYS * 86_400_000));
  const jobs = db.info.jobs
    ? await db.query<FinishedJob>(
      `SELECT process_name, start_time, end_time FROM Jobs
        WHERE status = 'DONE' AND end_time IS NOT NULL AND start_time >= ?
        ORDER BY start_time DESC${db.dialect.page(JOBS_LIMIT, 0)}`,
      [time(since)],
    )
    : [];
  return {
    triggers,
    machines: machines.map((m) => ({
      name: m.machine_name,
      state: schedulerState(m.last_update, now),
    })),
    jobs,
  };
}
