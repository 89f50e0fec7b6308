/**
 * The schedule forecast: every run the schedulers will start in the next 24 hours or 7 days,
 * grouped by the machines that may run it, with what will go wrong flagged. Pure: triggers,
 * machines, queue counts and usual run times in, the forecast out (`db/forecast.ts` reads them).
 *
 * It follows the Python scheduler (OpenOrchestrator 2.0.x and `develop`, `scheduler/runner.py`
 * and `database/db_util.py`):
 * - a single or scheduled trigger is due when it is `IDLE` and `next_run <= now`; so its first run
 *   is its stored `next_run` (at once when that has passed), whatever the cron expression says;
 * - starting a scheduled trigger sets `next_run = next(CronSim(cron_expr, now))`: each later run is
 *   the first cron time after the run before it (runs are assumed to end before the next is due);
 * - a queue trigger is due when it is `IDLE` and its queue holds at least `min_batch_size` `NEW`
 *   elements;
 * - only `IDLE` triggers start: a paused, failed or killed trigger's runs are skipped;
 * - a machine runs a trigger whose whitelist names it, or any trigger without a whitelist;
 * - a blocking trigger starts only on a machine running nothing, and nothing else starts there
 *   while it runs; among due triggers a machine takes the highest priority first, then single
 *   before scheduled before queue triggers, one per check.
 * @module
 */
import { cronMinute, cronMinuteText, cronRunsBetween, validateCron } from "./cron.ts";
import { type DbTime, shiftTime } from "./time.ts";
import { parseWhitelist } from "./whitelist.ts";

/** The windows the forecast offers. */
export const FORECAST_WINDOWS = {
  "24h": "the next 24 hours",
  "7d": "the next 7 days",
} as const;

/** A forecast window's name. */
export type ForecastWindow = keyof typeof FORECAST_WINDOWS;

/** True for a window the forecast offers. */
export function isForecastWindow(text: string): text is ForecastWindow {
  return Object.hasOwn(FORECAST_WINDOWS, text);
}

const WINDOW_MS: Record<ForecastWindow, number> = { "24h": 86_400_000, "7d": 7 * 86_400_000 };
const MINUTE_MS = 60_000;

/** Above this many runs in the window a trigger's runs are drawn as bands, not one by one. */
export const RUN_LIMIT = 48;
/** The collisions listed at most (all are counted). */
const COLLISION_LIMIT = 100;

/** What the forecast needs of a trigger (a row of `db/triggers.ts` has it all). */
export type ForecastTrigger = {
  id: string;
  trigger_name: string;
  /** `SINGLE`, `SCHEDULED` or `QUEUE`. */
  type: string;
  process_status: string;
  process_name: string;
  is_blocking: boolean;
  priority: number;
  /** As stored. */
  scheduler_whitelist: string | null;
  next_run: DbTime | null;
  cron_expr: string | null;
  queue_name: string | null;
  min_batch_size: number | null;
};

/** How recently a machine pinged (as the Schedulers page says), or never: unknown. */
export type MachineState = "online" | "stale" | "offline" | "unknown";

/** A scheduler machine. */
export type ForecastMachine = { name: string; state: Exclude<MachineState, "unknown"> };

/** Everything the forecast is computed from. */
export type ForecastInput = {
  triggers: ForecastTrigger[];
  machines: ForecastMachine[];
  /** `NEW` elements per queue name (queues not listed have none). */
  newElements: Record<string, number>;
  /** The usual run time of a process in seconds, where known (see {@linkcode usualSeconds}). */
  durations: Record<string, number>;
};

/**
 * A stretch of a busy trigger's runs: runs in neighbouring slots (3 hours in 7 days, 30 minutes
 * in 24 hours), so a row holds at most one band per two slots, whatever the number of runs.
 */
export type Band = { from: DbTime; to: DbTime; runs: number };

/** Why a trigger's runs will not happen. */
export type Skipped = "paused" | "failed" | "killed" | "other";

/** One trigger's runs in the window and what is wrong with them. */
export type ForecastRow =
  & Pick<
    ForecastTrigger,
    | "id"
    | "trigger_name"
    | "type"
    | "process_status"
    | "process_name"
    | "is_blocking"
    | "priority"
    | "cron_expr"
  >
  & {
    /** Every run in the window, the first one `now` when it is due already; cut at `RUN_LIMIT`. */
    runs: DbTime[];
    /** How many runs the window holds. */
    run_count: number;
    /** True when `runs` holds only the first `RUN_LIMIT` runs (`bands` has them all). */
    runs_capped: boolean;
    /** The runs as bands, when capped. */
    bands: Band[];
    /** Due at once: its next run has passed, or its queue holds a batch. */
    due_now: boolean;
    /** The status keeps the scheduler from starting it: its runs are skipped. */
    skipped: Skipped | null;
    /** Its whitelist names only machines that are offline or unknown: it never runs. */
    never_runs: { name: string; state: MachineState }[] | null;
    /** A queue trigger's queue: new elements waiting and the batch it waits for. */
    queue: { name: string; waiting: number; batch: number } | null;
    /** Something the scheduler cannot read (a cron expression or a whitelist). */
    problem: string | null;
    /** The usual run time of its process, in seconds, where known. */
    usual_seconds: number | null;
    /** In how many collisions it is. */
    collisions: number;
  };

/** The triggers that may run on the same machines. */
export type ForecastGroup = {
  /** The machines of the whitelist with their states; null: any machine. */
  machines: { name: string; state: MachineState }[] | null;
  rows: ForecastRow[];
};

/** Runs due in the same minute that cannot all start: a blocking one is among them. */
export type Collision = {
  at: DbTime;
  /** The machines (online or stale) any of them may run on. */
  machines: string[];
  /** True when those machines are too few for all of them to start at once. */
  certain: boolean;
  /**
   * In the order a machine takes them; `wait_seconds` is how long each may wait at most for the
   * ones before it (on one machine, from their usual run times), null when one is not known.
   */
  triggers: {
    id: string;
    trigger_name: string;
    is_blocking: boolean;
    wait_seconds: number | null;
  }[];
};

/** The forecast of one window. */
export type Forecast = {
  now: DbTime;
  window: ForecastWindow;
  until: DbTime;
  groups: ForecastGroup[];
  /** The first {@linkcode COLLISION_LIMIT} collisions, earliest first. */
  collisions: Collision[];
  collision_count: number;
  /** No machine is online or stale: nothing runs. */
  no_machine: boolean;
  /** Triggers with nothing in the window (finished, or next due later). */
  quiet: number;
  /** Queue triggers waiting for elements. */
  waiting: number;
};

const TYPE_ORDER: Record<string, number> = { SINGLE: 0, SCHEDULED: 1, QUEUE: 2 };

const SKIPPED: Record<string, Skipped | null> = {
  IDLE: null,
  RUNNING: null,
  PAUSED: "paused",
  PAUSING: "paused",
  FAILED: "failed",
  KILLING: "killed",
  KILLED: "killed",
};

/** A row before its runs are turned into text: runs as minutes of `cronMinute`. */
type Draft = {
  row: ForecastRow;
  minutes: number[];
  /** The online or stale machines that may run it: bit i is the forecast's machine i. */
  mask: bigint;
  /** Its group: the whitelist's names, or the unreadable whitelist. */
  key: string;
  /** The whitelist's machines with their states. */
  listed: { name: string; state: MachineState }[];
};

function skippedBy(status: string): Skipped | null {
  return Object.hasOwn(SKIPPED, status) ? SKIPPED[status] : "other";
}

/**
 * The minutes a trigger runs in the window, the first at `now` when it is due already, and what
 * the scheduler cannot read about it.
 */
function runMinutes(
  trigger: ForecastTrigger,
  at: { now: number; until: DbTime; untilMinute: number; waiting: number },
): { minutes: number[]; problem: string | null } {
  if (trigger.type === "QUEUE") {
    const due = trigger.min_batch_size !== null && at.waiting >= trigger.min_batch_size;
    return { minutes: due ? [at.now] : [], problem: null };
  }
  if (trigger.next_run === null) return { minutes: [], problem: null };
  // A single trigger runs once: a running or finished one has started its only run already.
  if (trigger.type === "SINGLE" && ["RUNNING", "DONE"].includes(trigger.process_status)) {
    return { minutes: [], problem: null };
  }
  const first = Math.max(cronMinute(trigger.next_run), at.now);
  if (first > at.untilMinute) return { minutes: [], problem: null };
  if (trigger.type !== "SCHEDULED" || trigger.cron_expr === null) {
    return { minutes: [first], problem: null };
  }
  const error = validateCron(trigger.cron_expr);
  if (error !== null) {
    return {
      minutes: [first],
      problem:
        `The scheduler cannot read its cron expression and fails when it starts it (${error})`,
    };
  }
  return {
    minutes: [first, ...cronRunsBetween(trigger.cron_expr, { from: first, until: at.until })],
    problem: null,
  };
}

/** Runs in neighbouring slots, as bands. */
function bands(minutes: number[], slotMs: number): Band[] {
  const out: { from: number; to: number; runs: number }[] = [];
  for (const m of minutes) {
    const slot = Math.floor(m / slotMs);
    const last = out.at(-1);
    if (last && slot - Math.floor(last.to / slotMs) <= 1) {
      last.to = m;
      last.runs++;
    } else out.push({ from: m, to: m, runs: 1 });
  }
  return out.map((b) => ({ from: cronMinuteText(b.from), to: cronMinuteText(b.to), runs: b.runs }));
}

function byOrder(a: ForecastRow, b: ForecastRow): number {
  return b.priority - a.priority || (TYPE_ORDER[a.type] ?? 3) - (TYPE_ORDER[b.type] ?? 3) ||
    (a.trigger_name < b.trigger_name ? -1 : a.trigger_name > b.trigger_name ? 1 : 0);
}

/**
 * How long each of runs due together may wait, in the order a machine takes them, if they all
 * land on one machine: a blocking run waits for every run before it to end, any run waits for the
 * blocking runs before it. Null from the first run whose wait needs an unknown run time.
 */
function waits(rows: ForecastRow[]): (number | null)[] {
  const out: (number | null)[] = [];
  let allEnd: number | null = 0; // when every run started so far has ended
  let blockingEnd: number | null = 0; // when the blocking runs started so far have ended
  let lastStart: number | null = 0;
  for (const row of rows) {
    const start: number | null = row.is_blocking
      ? allEnd
      : blockingEnd === null || lastStart === null
      ? null
      : Math.max(blockingEnd, lastStart);
    out.push(start);
    const end: number | null = start === null || row.usual_seconds === null
      ? null
      : start + row.usual_seconds;
    allEnd = allEnd === null || end === null ? null : Math.max(allEnd, end);
    if (row.is_blocking) blockingEnd = end;
    lastStart = start;
  }
  return out;
}

/**
 * Splits the runs due in one minute into groups that cannot all start at once: each grows from a
 * blocking run by the runs that share a machine with a blocking member, and the blocking runs that
 * share a machine with any member.
 */
function minuteGroups(drafts: Draft[]): Draft[][] {
  const groups: Draft[][] = [];
  let left = drafts;
  for (;;) {
    const seed = left.find((d) => d.row.is_blocking);
    if (!seed) return groups;
    const group = [seed];
    let blocking = seed.mask, all = seed.mask;
    let rest = left.filter((d) => d !== seed);
    for (let grew = true; grew;) {
      grew = false;
      rest = rest.filter((d) => {
        if ((d.mask & (d.row.is_blocking ? all : blocking)) === 0n) return true;
        group.push(d);
        all |= d.mask;
        if (d.row.is_blocking) blocking |= d.mask;
        grew = true;
        return false;
      });
    }
    if (group.length > 1) groups.push(group);
    left = rest;
  }
}

/** A collision in full: its machines, its order, and each run's wait. */
function described(
  at: number,
  { group, machines }: { group: Draft[]; machines: string[] },
): Collision {
  const rows = group.map((d) => d.row).sort(byOrder);
  const names = machines.filter((_, i) => group.some((d) => (d.mask >> BigInt(i)) & 1n));
  const blocking = rows.filter((r) => r.is_blocking).length;
  const wait = waits(rows);
  return {
    at: cronMinuteText(at),
    machines: names,
    certain: blocking + (blocking < rows.length ? 1 : 0) > names.length,
    triggers: rows.map((r, i) => ({
      id: r.id,
      trigger_name: r.trigger_name,
      is_blocking: r.is_blocking,
      wait_seconds: wait[i],
    })),
  };
}

/**
 * The collisions of the runs that will happen, earliest first: the first `COLLISION_LIMIT` in
 * full, the others counted (in the total and in each row's count).
 */
function collisions(drafts: Draft[], machines: string[]): { list: Collision[]; count: number } {
  const live = drafts.filter((d) => !d.row.skipped && !d.row.never_runs && d.mask !== 0n);
  // Only minutes a blocking trigger runs in can hold a collision.
  const due = new Map<number, Draft[]>();
  for (const d of live) {
    if (!d.row.is_blocking) continue;
    for (const m of d.minutes) {
      const list = due.get(m);
      if (list) list.push(d);
      else due.set(m, [d]);
    }
  }
  for (const d of live) {
    if (d.row.is_blocking) continue;
    for (const m of d.minutes) due.get(m)?.push(d);
  }
  const list: Collision[] = [];
  let count = 0;
  // A trigger every 5 minutes meets the same others again and again: split each set once.
  const index = new Map(live.map((d, i) => [d, i]));
  const splits = new Map<string, Draft[][]>();
  for (const [at, drafts] of [...due].sort(([a], [b]) => a - b)) {
    if (drafts.length < 2) continue;
    const set = drafts.map((d) => index.get(d)).join();
    let groups = splits.get(set);
    if (!groups) splits.set(set, groups = minuteGroups(drafts));
    for (const group of groups) {
      count++;
      for (const d of group) d.row.collisions++;
      if (list.length < COLLISION_LIMIT) list.push(described(at, { group, machines }));
    }
  }
  return { list, count };
}

/**
 * The forecast of `window` from `now`.
 *
 * @param input The triggers, machines, queue counts and usual run times.
 * @param options.now The current naive wall-clock time.
 * @param options.window `24h` or `7d`.
 */
export function forecast(
  input: ForecastInput,
  options: { now: DbTime; window: ForecastWindow },
): Forecast {
  const until = shiftTime(options.now, WINDOW_MS[options.window]);
  const at = { now: cronMinute(options.now), until, untilMinute: cronMinute(until), waiting: 0 };
  const slotMs = (options.window === "7d" ? 180 : 30) * MINUTE_MS;
  const state = new Map(input.machines.map((m) => [m.name, m.state]));
  const available = input.machines.filter((m) => m.state !== "offline").map((m) => m.name);
  const bits = new Map(available.map((name, i) => [name, 1n << BigInt(i)]));
  const anyMachine = (1n << BigInt(available.length)) - 1n;
  const drafts: Draft[] = [];
  let quiet = 0, waiting = 0;
  for (const t of input.triggers) {
    at.waiting = t.queue_name === null ? 0 : input.newElements[t.queue_name] ?? 0;
    const { minutes, problem } = runMinutes(t, at);
    if (minutes.length === 0) {
      if (t.type === "QUEUE") waiting++;
      else quiet++;
      continue;
    }
    const whitelist = parseWhitelist(t.scheduler_whitelist);
    const names = [...new Set(whitelist.names)].sort();
    const listed = names.map((name) => ({ name, state: state.get(name) ?? "unknown" as const }));
    const mask = whitelist.invalid !== undefined
      ? 0n
      : names.length
      ? names.reduce((m, n) => m | (bits.get(n) ?? 0n), 0n)
      : anyMachine;
    const row: ForecastRow = {
      id: t.id,
      trigger_name: t.trigger_name,
      type: t.type,
      process_status: t.process_status,
      process_name: t.process_name,
      is_blocking: t.is_blocking,
      priority: t.priority,
      cron_expr: t.cron_expr,
      runs: minutes.slice(0, RUN_LIMIT).map(cronMinuteText),
      run_count: minutes.length,
      runs_capped: minutes.length > RUN_LIMIT,
      bands: minutes.length > RUN_LIMIT ? bands(minutes, slotMs) : [],
      due_now: t.type === "QUEUE" || (t.next_run !== null && t.next_run <= options.now),
      skipped: skippedBy(t.process_status),
      never_runs: names.length && mask === 0n ? listed : null,
      queue: t.queue_name === null
        ? null
        : { name: t.queue_name, waiting: at.waiting, batch: t.min_batch_size ?? 0 },
      problem: whitelist.invalid !== undefined
        ? `The scheduler cannot read its whitelist (${whitelist.invalid})`
        : problem,
      usual_seconds: input.durations[t.process_name] ?? null,
      collisions: 0,
    };
    const key = whitelist.invalid === undefined ? names.join("\n") : `\0${whitelist.invalid}`;
    drafts.push({ row, minutes, mask, key, listed });
  }
  const found = collisions(drafts, available);
  const groups = new Map<string, ForecastGroup>();
  for (const d of drafts.sort((a, b) => a.minutes[0] - b.minutes[0] || byOrder(a.row, b.row))) {
    let group = groups.get(d.key);
    if (!group) groups.set(d.key, group = { machines: d.key ? d.listed : null, rows: [] });
    group.rows.push(d.row);
  }
  return {
    now: options.now,
    window: options.window,
    until,
    groups: [...groups].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([, g]) => g),
    collisions: found.list,
    collision_count: found.count,
    no_machine: available.length === 0,
    quiet,
    waiting,
  };
}

/**
 * The usual run time of each process: the median of its finished jobs' durations, in whole
 * seconds.
 *
 * @param jobs Finished jobs (`Jobs` rows with an end time).
 */
export function usualSeconds(
  jobs: { process_name: string; start_time: DbTime; end_time: DbTime }[],
): Record<string, number> {
  const durations = new Map<string, number[]>();
  for (const job of jobs) {
    const seconds = (cronMinute(job.end_time) - cronMinute(job.start_time)) / 1000 +
      Number(job.end_time.slice(17, 19)) - Number(job.start_time.slice(17, 19));
    if (seconds < 0) continue;
    const list = durations.get(job.process_name);
    if (list) list.push(seconds);
    else durations.set(job.process_name, [seconds]);
  }
  const usual: Record<string, number> = {};
  for (const [name, list] of durations) {
    list.sort((a, b) => a - b);
    usual[name] = list[Math.floor((list.length - 1) / 2)];
  }
  return usual;
}
