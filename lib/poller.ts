/**
 * The poller: one loop in the process reads the aggregates (scheduler counts, queue and log
 * summaries, the dashboard) once per interval for all viewers, so no page pays for a full scan.
 * It keeps working through database outages: it sets the banner, backs off, and clears the
 * banner when the database answers again.
 * @module
 */
import type { Db, Health } from "../db/connection.ts";
import { DatabaseUnavailableError } from "../db/connection.ts";
import { type SchedulerCounts, schedulerCounts } from "../db/schedulers.ts";
import { type Dashboard, readDashboard } from "../db/dashboard.ts";
import { type LogSummaries, readLogSummaries } from "../db/logs.ts";
import { type QueueSummaries, readQueueSummaries, readQueueSummary } from "../db/queues.ts";

/** What the poller knows; a field is missing until its first successful read. */
export type Snapshot = {
  schedulers?: SchedulerCounts;
  /** Per queue: counts by status, oldest new element, last activity, consuming triggers. */
  queues?: QueueSummaries;
  /** Per process: counts by level, last log and last error (counted incrementally). */
  logs?: LogSummaries;
  /** What failed since the last working day, trigger and scheduler problems, the chart. */
  dashboard?: Dashboard;
  /** When the last full round finished. */
  at?: Date;
};

/** One aggregate read: fills its part of the snapshot. */
export type PollTask = (db: Db, snapshot: Snapshot) => Promise<void>;

/** The parts of the snapshot that pages read, each filled by one read. */
export type PolledPart = "queues" | "logs" | "dashboard";

const PART_READS: Record<PolledPart, PollTask> = {
  queues: async (db, snapshot) => {
    snapshot.queues = await readQueueSummaries(db, snapshot.queues);
  },
  logs: async (db, snapshot) => {
    snapshot.logs = await readLogSummaries(db, snapshot.logs);
  },
  dashboard: async (db, snapshot) => {
    snapshot.dashboard = await readDashboard(db);
  },
};

const inFlight = new WeakMap<Snapshot, Map<PolledPart, Promise<void>>>();

/** Reads one part, or joins the read of it already under way (the poller's or a page's). */
function readPart(db: Db, snapshot: Snapshot, part: PolledPart): Promise<void> {
  let running = inFlight.get(snapshot);
  if (!running) inFlight.set(snapshot, running = new Map());
  const current = running.get(part);
  if (current) return current;
  const read = PART_READS[part](db, snapshot).finally(() => running.delete(part));
  running.set(part, read);
  return read;
}

/**
 * Fills a part a page needs when the poller has not (before its first round ends, or in tests and
 * browser tests, where no poller runs); a part already there is used as it is, however old.
 */
export async function ensurePolled(db: Db, snapshot: Snapshot, part: PolledPart): Promise<void> {
  if (snapshot[part] === undefined) await readPart(db, snapshot, part);
}

/** Asks the next round to count the logs again from scratch (after rows were deleted). */
export function recountLogs(snapshot: Snapshot): void {
  if (snapshot.logs) snapshot.logs.stale = true;
}

/**
 * Reads one queue's counts again after a change to it, so the pages answering the change (and
 * every page after it) show the truth before the next round; the dashboard, which counts failed
 * elements, is read again when it is next shown.
 */
export async function refreshQueue(db: Db, snapshot: Snapshot, queue: string): Promise<void> {
  snapshot.dashboard = undefined;
  if (!snapshot.queues) return;
  const fresh = await readQueueSummary(
    db,
    queue,
    snapshot.queues.rows.find((r) => r.name === queue),
  );
  // The rows as they are now: a round may have replaced them meanwhile.
  const rows = snapshot.queues.rows;
  const at = rows.findIndex((r) => r.name === queue);
  if (at >= 0) rows[at] = fresh;
  else {
    const after = rows.findIndex((r) => r.name > queue);
    rows.splice(after === -1 ? rows.length : after, 0, fresh);
  }
}

/** The reads every round does. Later areas add theirs. */
export const POLL_TASKS: PollTask[] = [
  async (db, snapshot) => {
    snapshot.schedulers = await schedulerCounts(db);
  },
  (db, snapshot) => readPart(db, snapshot, "queues"),
  (db, snapshot) => readPart(db, snapshot, "logs"),
  (db, snapshot) => readPart(db, snapshot, "dashboard"),
];

/** The longest wait between two tries while the database is away. */
const MAX_BACKOFF_MS = 60_000;

/** Reads the aggregates every interval; `tick()` does one round (tests call it directly). */
export class Poller {
  /** The latest aggregates, shared by every request. */
  readonly snapshot: Snapshot = {};
  #timer: ReturnType<typeof setTimeout> | undefined;
  #delay: number;
  #running = false;

  /**
   * @param db the database to read
   * @param health where outages are reported (the banner reads it)
   */
  constructor(
    readonly db: Db,
    readonly health: Health,
    readonly options: { intervalMs: number; tasks?: PollTask[] },
  ) {
    this.#delay = options.intervalMs;
  }

  /** Runs one round of every task; returns true when the database answered. */
  async tick(): Promise<boolean> {
    try {
      for (const task of this.options.tasks ?? POLL_TASKS) await task(this.db, this.snapshot);
      this.snapshot.at = new Date();
      this.health.outage = null;
      this.#delay = this.options.intervalMs;
      return true;
    } catch (error) {
      if (error instanceof DatabaseUnavailableError) {
        this.health.outage = error.message;
      } else {
        console.error("The poller could not read the aggregates:", error);
      }
      this.#delay = Math.min(this.#delay * 2, MAX_BACKOFF_MS);
      return false;
    }
  }

  /** The wait before the next round (doubles while the database is away). */
  get delayMs(): number {
    return this.#delay;
  }

  /** Starts the loop (first round at once). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    const loop = async () => {
      await this.tick();
      if (this.#running) this.#timer = setTimeout(loop, this.#delay);
    };
    loop();
  }

  /** Stops the loop. */
  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
  }
}
