/**
 * The poller: one loop in the process reads the aggregates (scheduler and trigger counts, queue
 * and log summaries, the dashboard) once per interval for all viewers, so no page pays for a full
 * scan. Each part has one named read; pages call `ensure(part)` for a part no round has filled
 * yet, and changes call `invalidate(change)` so their answer shows the truth at once. The alerts
 * and the metrics read the snapshot it keeps (`onRound` tells of every round). It keeps working
 * through database outages: it sets the banner, backs off, and clears the banner when the
 * database answers again.
 * @module
 */
import type { Db, Health } from "../db/connection.ts";
import {
  DatabaseUnavailableError,
  noteHealth,
  QueryTimeoutError,
  replyError,
} from "../db/connection.ts";
import { type SchedulerCounts, schedulerCounts } from "../db/schedulers.ts";
import { type Dashboard, type GroupCount, readDashboard } from "../db/dashboard.ts";
import {
  type LogSummaries,
  readLogSummaries,
  readProcessLogs,
  recentErrorCounts,
} from "../db/logs.ts";
import { triggerCounts } from "../db/triggers.ts";
import { type QueueSummaries, readQueueSummaries, readQueueSummary } from "../db/queues.ts";
import {
  type PastDays,
  pastDaysFresh,
  readPastDays,
  readToday,
  type Today,
} from "../db/queue_performance.ts";
import { detect } from "../db/schema.ts";
import { escapeControls, logError } from "./log.ts";
import type { DatabaseTarget } from "./config.ts";
import type { RoundReply, RoundRequest } from "./poll_worker.ts";
import { formatDbTime, shiftTime } from "./time.ts";

/** What the poller knows; a field is missing until its first successful read. */
export type Snapshot = {
  schedulers?: SchedulerCounts;
  /** How many triggers are in each status. */
  triggers?: Record<string, number>;
  /** Per queue: counts by status, oldest new element, last activity, consuming triggers. */
  queues?: QueueSummaries;
  /** Per process: counts by level, last log and last error (counted incrementally). */
  logs?: LogSummaries;
  /** Per process: the error logs of the last hour (read with `logs`). */
  recentErrors?: GroupCount[];
  /** What failed since the last working day, trigger and scheduler problems, the chart. */
  dashboard?: Dashboard;
  /**
   * Per queue: its performance on the days before today (see `readPastDays`), filled by the
   * rounds after the first, a few queues a round, and read again within the hour.
   */
  history?: Record<string, PastDays>;
  /** When the last full round finished. */
  at?: Date;
  /** How long the last full round took, in milliseconds. */
  roundMs?: number;
};

/** The parts of the snapshot that pages read, each filled by one named read. */
export type PolledPart = "schedulers" | "triggers" | "queues" | "logs" | "dashboard";

/** How far back `recentErrors` counts. */
const RECENT_ERRORS_MS = 60 * 60_000;

/** The named reads, in the order a round does them: each fills its part of the snapshot. */
const READS: Record<PolledPart, (db: Db, snapshot: Snapshot) => Promise<void>> = {
  schedulers: async (db, snapshot) => {
    snapshot.schedulers = await schedulerCounts(db);
  },
  triggers: async (db, snapshot) => {
    snapshot.triggers = await triggerCounts(db);
  },
  queues: async (db, snapshot) => {
    snapshot.queues = await readQueueSummaries(db);
  },
  logs: async (db, snapshot) => {
    snapshot.logs = await readLogSummaries(db, snapshot.logs);
    const since = shiftTime(formatDbTime(new Date()), -RECENT_ERRORS_MS);
    snapshot.recentErrors = await recentErrorCounts(db, since);
  },
  dashboard: async (db, snapshot) => {
    snapshot.dashboard = await readDashboard(db, { previous: snapshot.dashboard });
  },
};

/** The parts in the order a round reads them. */
const PARTS = Object.keys(READS) as PolledPart[];

/** How many queues' days before today a round reads at most. */
const HISTORY_QUEUES_PER_ROUND = 3;

/**
 * Reads the days before today of the queues whose history is missing or no longer fresh (the
 * oldest first), a few per round; forgets the queues that are gone. Not in the first round (its
 * snapshot has no `at` yet): that one brings what the pages show at once.
 */
async function refreshHistory(db: Db, snapshot: Snapshot): Promise<void> {
  if (!snapshot.at || !snapshot.queues) return;
  const now = new Date();
  const kept = snapshot.history ?? {};
  const history: Record<string, PastDays> = {};
  for (const { name } of snapshot.queues.rows) if (kept[name]) history[name] = kept[name];
  const due = snapshot.queues.rows.map((r) => r.name)
    .filter((name) => !pastDaysFresh(history[name], now))
    .sort((a, b) => (history[a]?.readAt ?? 0) - (history[b]?.readAt ?? 0))
    .slice(0, HISTORY_QUEUES_PER_ROUND);
  for (const name of due) history[name] = await readPastDays(db, name, { now });
  snapshot.history = history;
}

/**
 * One round's reads in this thread, one after the other (the worker's rounds), then a few
 * queues' history; `forget` names queues whose history a change made wrong.
 */
export async function readRound(
  db: Db,
  into: { snapshot: Snapshot; forget?: string[] },
): Promise<void> {
  const { snapshot, forget = [] } = into;
  for (const part of PARTS) await READS[part](db, snapshot);
  for (const queue of forget) delete snapshot.history?.[queue];
  await refreshHistory(db, snapshot);
  snapshot.at = new Date();
}

/** What a change affected, for {@linkcode Poller.invalidate}. */
export type Change =
  | { part: "queues"; queue: string }
  /** `process` null: rows of several processes went. */
  | { part: "logs"; process: string | null };

/** Reads one queue's counts, and the dashboard (which counts failed elements), again. */
async function refreshQueue(db: Db, into: { snapshot: Snapshot; queue: string }): Promise<void> {
  const { snapshot, queue } = into;
  if (snapshot.dashboard) {
    // The chart's days before today are kept: only today and the lists are read again.
    snapshot.dashboard = await readDashboard(db, { previous: snapshot.dashboard });
  }
  if (!snapshot.queues) return;
  const fresh = await readQueueSummary(db, queue);
  // The rows as they are now: a round may have replaced them meanwhile.
  const rows = snapshot.queues.rows;
  const at = rows.findIndex((r) => r.name === queue);
  if (at >= 0) rows[at] = fresh;
  else {
    const after = rows.findIndex((r) => r.name > queue);
    rows.splice(after === -1 ? rows.length : after, 0, fresh);
  }
}

/** Reads one process's log counts again. */
async function refreshProcessLogs(
  db: Db,
  into: { snapshot: Snapshot; process: string },
): Promise<void> {
  const { snapshot, process } = into;
  if (!snapshot.logs) return;
  const fresh = await readProcessLogs(db, process);
  const rows = snapshot.logs.processes.filter((p) => p.process !== process);
  if (fresh) rows.push(fresh);
  snapshot.logs.processes = rows.sort((a, b) =>
    a.process < b.process ? -1 : a.process > b.process ? 1 : 0
  );
}

/**
 * Rounds done on a Worker (`poll_worker.ts`) with its own connection; one round at a time.
 */
class WorkerRounds {
  #worker: Worker;
  #answer: ((reply: RoundReply) => void) | null = null;

  constructor(target: Extract<DatabaseTarget, { kind: "sqlite" }>) {
    this.#worker = new Worker(new URL("./poll_worker.ts", import.meta.url), { type: "module" });
    this.#worker.onmessage = (event: MessageEvent<RoundReply>) => this.#settle(event.data);
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#settle({ ok: false, message: event.message, problem: null });
    };
    this.#worker.postMessage({ type: "open", target } satisfies RoundRequest);
  }

  #settle(reply: RoundReply): void {
    const answer = this.#answer;
    this.#answer = null;
    answer?.(reply);
  }

  /** Sends a request and waits for its answer. */
  ask(request: RoundRequest): Promise<RoundReply> {
    return new Promise((resolve) => {
      this.#answer = resolve;
      this.#worker.postMessage(request);
    });
  }

  close(): void {
    this.#worker.terminate();
    this.#settle({ ok: false, message: "The poller stopped.", problem: null });
  }
}

/** The longest wait between two tries while the database is away. */
const MAX_BACKOFF_MS = 60_000;

/** Reads the aggregates every interval; `tick()` does one round (tests call it directly). */
export class Poller {
  /** The latest aggregates, shared by every request. */
  readonly snapshot: Snapshot = {};
  #timer: ReturnType<typeof setTimeout> | undefined;
  #delay: number;
  #running = false;

  #listeners: ((snapshot: Snapshot, health: Health) => void)[] = [];
  /** The reads of this thread under way, which a page's read of the same part joins. */
  #reading = new Map<PolledPart, Promise<void>>();
  /** Queues changed since the last round asked: their history is read again. */
  #forget = new Set<string>();
  /** Reads of a queue's history for a page, by queue: pages for the same queue join one. */
  #pastReads = new Map<string, Promise<PastDays>>();
  /** Today's reads of queues for pages, by queue, kept for the round they were read in. */
  #today = { round: undefined as Date | undefined, reads: new Map<string, Promise<Today>>() };
  #version = 0;

  /**
   * @param db the database to read
   * @param health where outages are reported (the banner reads it)
   * @param options.worker read on a Worker with its own connection (what `main.ts` does for
   *   SQLite, whose reads block the thread they run on); default: in this thread
   */
  constructor(
    readonly db: Db,
    readonly health: Health,
    readonly options: { intervalMs: number; worker?: boolean },
  ) {
    this.#delay = options.intervalMs;
  }

  #rounds: WorkerRounds | null = null;

  /**
   * Counts the changes to the parts pages read (a round, a part filled, a change's reads): a view
   * made from them alone is current while this stays the same. (Not the history, which only the
   * performance pages read.)
   */
  get version(): number {
    return this.#version;
  }

  /**
   * Calls `listener` after every round, whether the database answered or not (the alerts watch
   * the snapshot and the outage this way). It must not throw, and must not wait on anything.
   */
  onRound(listener: (snapshot: Snapshot, health: Health) => void): void {
    this.#listeners.push(listener);
  }

  /** Reads one part in this thread, or joins the read of it already under way. */
  #read(part: PolledPart): Promise<void> {
    const current = this.#reading.get(part);
    if (current) return current;
    const read = READS[part](this.db, this.snapshot).finally(() => {
      this.#version++;
      this.#reading.delete(part);
    });
    this.#reading.set(part, read);
    return read;
  }

  /**
   * Fills a part a page needs when no round has (before the first one ends, or in tests and
   * browser tests, where no poller runs); a part already there is used as it is, however old.
   */
  async ensure(part: PolledPart): Promise<void> {
    if (this.snapshot[part] === undefined) await this.#read(part);
  }

  /**
   * Called by every change: reads again at once what it affected, so the answer to the change
   * (and every page after it) shows the truth before the next round. A queue's counts and the
   * dashboard; a process's log counts, and after any log delete the next round counts all logs
   * again (the incremental count still holds the deleted rows).
   */
  async invalidate(change: Change): Promise<void> {
    try {
      await this.#invalidate(change);
    } finally {
      this.#version++;
    }
  }

  async #invalidate(change: Change): Promise<void> {
    if (change.part === "queues") {
      this.#forget.add(change.queue);
      this.#pastReads.delete(change.queue);
      this.#today.reads.delete(change.queue);
      delete this.snapshot.history?.[change.queue];
      return await refreshQueue(this.db, { snapshot: this.snapshot, queue: change.queue });
    }
    if (this.snapshot.logs) this.snapshot.logs.stale = true;
    if (change.process !== null) {
      await refreshProcessLogs(this.db, { snapshot: this.snapshot, process: change.process });
    }
  }

  /** One round of every read, here or on the worker. */
  async #round(): Promise<void> {
    const forget = [...this.#forget];
    this.#forget.clear();
    if (!this.options.worker) {
      for (const part of PARTS) await this.#read(part);
      await refreshHistory(this.db, this.snapshot);
      this.snapshot.at = new Date();
      return;
    }
    if (this.db.target.kind !== "sqlite") throw new Error("Cannot poll on a worker: not SQLite");
    this.#rounds ??= new WorkerRounds(this.db.target);
    const reply = await this.#rounds.ask({
      type: "round",
      recount: this.snapshot.logs?.stale ?? false,
      forget,
    });
    if (!reply.ok) throw replyError(reply);
    const pages = this.snapshot.history ?? {};
    Object.assign(this.snapshot, reply.snapshot);
    // What pages read since is kept where it is newer than the worker's.
    const history = this.snapshot.history ??= {};
    for (const [queue, past] of Object.entries(pages)) {
      if ((history[queue]?.readAt ?? -1) < past.readAt) history[queue] = past;
    }
    // A change during the round: the history the worker read before it is wrong.
    for (const queue of this.#forget) delete history[queue];
  }

  /**
   * A queue's days before today for a page: the rounds' while fresh at `now`, else read at once
   * (pages for the same queue join one read) and kept until a round reads them again.
   */
  pastDays(queue: string, now: Date): Promise<PastDays> {
    const kept = this.snapshot.history?.[queue];
    if (pastDaysFresh(kept, now)) return Promise.resolve(kept);
    const underWay = this.#pastReads.get(queue);
    if (underWay) return underWay;
    const read = readPastDays(this.db, queue, { now })
      .then((past) => {
        // A change to the queue while it read dropped it: not kept then.
        if (this.#pastReads.get(queue) === read) (this.snapshot.history ??= {})[queue] = past;
        return past;
      })
      .finally(() => {
        if (this.#pastReads.get(queue) === read) this.#pastReads.delete(queue);
      });
    this.#pastReads.set(queue, read);
    return read;
  }

  /**
   * A queue's day so far for a page: read once a round (after a change to the queue, again), so
   * the pages of a round share one read, as they share the round's counts. Read each time while
   * no round has ended (tests, or before the first).
   */
  today(queue: string, now: Date): Promise<Today> {
    const round = this.snapshot.at;
    if (round === undefined) return readToday(this.db, queue, { now });
    if (this.#today.round !== round) this.#today = { round, reads: new Map() };
    const reads = this.#today.reads;
    const kept = reads.get(queue);
    if (kept) return kept;
    const read = readToday(this.db, queue, { now });
    reads.set(queue, read);
    read.catch(() => reads.get(queue) === read && reads.delete(queue));
    return read;
  }

  /**
   * Runs one round of every read; returns true when the database answered. Each round also
   * checks that a write could be made (another program's lock, a full disk, a read-only file),
   * so the banner shows and clears by itself. The listeners hear of every round.
   */
  async tick(): Promise<boolean> {
    const answered = await this.#tick();
    for (const listener of this.#listeners) {
      try {
        listener(this.snapshot, this.health);
      } catch (error) {
        logError("A poller listener failed", error);
      }
    }
    return answered;
  }

  async #tick(): Promise<boolean> {
    const started = performance.now();
    try {
      if (this.db.fileReplaced?.()) {
        // Every connection to the old file closes before the new one opens (its -wal goes).
        await this.#rounds?.ask({ type: "close" });
        await this.db.reopen!();
        this.health.notice = `The database file was replaced at ${
          formatDbTime(new Date()).slice(11, 16)
        }; the app opened the new file.`;
        await this.invalidate({ part: "logs", process: null });
      }
      // After an outage (or a start while the server was down) the schema may have changed or
      // never been read: find out again before anything relies on it.
      if (this.health.outage !== null || this.db.info.revision === null) await detect(this.db);
      try {
        await this.#round();
      } finally {
        this.#version++;
      }
      this.snapshot.roundMs = performance.now() - started;
      noteHealth(this.health, (await this.db.writeProblem?.()) ?? null);
      this.#delay = this.options.intervalMs;
      return true;
    } catch (error) {
      if (error instanceof DatabaseUnavailableError) {
        noteHealth(this.health, error);
      } else if (error instanceof QueryTimeoutError) {
        // A slow read is not an outage: no banner, no back-off; the next round tries again.
        console.error(escapeControls(`The poller's read was too slow: ${error.message}`));
        return false;
      } else {
        logError("The poller could not read the aggregates", error);
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

  /** Stops the loop (and its worker). */
  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#rounds?.close();
    this.#rounds = null;
  }
}
