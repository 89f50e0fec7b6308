/**
 * Queries for `Schedulers(machine_name, last_update, latest_trigger, latest_trigger_time)`:
 * every scheduler machine upserts its row every ~6 s while it runs.
 * @module
 */
import { field, type PageParams } from "../lib/list.ts";
import { formatDbTime } from "../lib/time.ts";
import { parseWhitelist } from "../lib/whitelist.ts";
import { type Db, type Executor, time } from "./connection.ts";
import { listPage, type Page, type TableList } from "./list.ts";

/** A machine is online when it pinged within this many seconds… */
const ONLINE_SECONDS = 60;
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

/** How recently a machine pinged: within a minute, within 5 minutes, or longer ago. */
export type SchedulerState = "online" | "stale" | "offline";

/** A scheduler machine with its state and the triggers whitelisted to it. */
export type Scheduler = {
  machine_name: string;
  last_update: string;
  latest_trigger: string | null;
  latest_trigger_time: string | null;
  state: SchedulerState;
  /** Names of the triggers whose whitelist names this machine. */
  whitelisted: string[];
};

/** The schedulers page: machines, triggers open to all, and whitelisted names never seen. */
export type SchedulerOverview = Page<Scheduler> & {
  /** Triggers with no whitelist (any machine may run them). */
  open: number;
  /** Whitelisted machine names with no row in `Schedulers`, with their triggers. */
  unknown: { machine: string; triggers: string[] }[];
};

/** The state of a machine that pinged at `lastUpdate`. */
export function schedulerState(lastUpdate: string, now: Date = new Date()): SchedulerState {
  const since = (seconds: number) => formatDbTime(new Date(now.getTime() - seconds * 1000));
  return lastUpdate >= since(ONLINE_SECONDS)
    ? "online"
    : lastUpdate >= since(STALE_SECONDS)
    ? "stale"
    : "offline";
}

type SchedulerRow = Omit<Scheduler, "state" | "whitelisted">;

/** The schedulers list. */
export const SCHEDULERS_LIST: TableList<Scheduler> = {
  name: "schedulers",
  paging: "page",
  columns: [
    field("machine_name", "Machine", "machine_name"),
    field("state", "State"),
    field("last_update", "Last ping", "last_update"),
    field("latest_trigger", "Latest trigger", "latest_trigger"),
    field("latest_trigger_time", "Started", "latest_trigger_time"),
    { key: "whitelisted", label: "Whitelisted triggers", value: (r) => r.whitelisted.join(", ") },
  ],
  sort: "machine_name",
  dir: "asc",
  from: "Schedulers",
  select: "machine_name, last_update, latest_trigger, latest_trigger_time",
  search: ["machine_name", "latest_trigger"],
  tiebreak: "machine_name",
};

/** One page of scheduler machines with their states and whitelisted triggers. */
export async function listSchedulers(
  db: Db,
  { params, now }: { params: PageParams; now: Date },
): Promise<SchedulerOverview> {
  const page = await listPage<SchedulerRow>(db, SCHEDULERS_LIST, { params });
  const triggers = await db.query<{ trigger_name: string; scheduler_whitelist: string | null }>(
    "SELECT trigger_name, scheduler_whitelist FROM Triggers ORDER BY trigger_name",
  );
  const machines = await db.query<{ machine_name: string }>("SELECT machine_name FROM Schedulers");
  const byMachine = new Map<string, string[]>();
  let open = 0;
  for (const trigger of triggers) {
    const { names, invalid } = parseWhitelist(trigger.scheduler_whitelist);
    if (names.length === 0 && invalid === undefined) open++;
    for (const name of names) {
      if (!byMachine.has(name)) byMachine.set(name, []);
      byMachine.get(name)!.push(trigger.trigger_name);
    }
  }
  const known = new Set(machines.map((m) => m.machine_name));
  return {
    rows: page.rows.map((row) => ({
      ...row,
      state: schedulerState(row.last_update, now),
      whitelisted: byMachine.get(row.machine_name) ?? [],
    })),
    total: page.total,
    open,
    unknown: [...byMachine].filter(([machine]) => !known.has(machine))
      .map(([machine, names]) => ({ machine, triggers: names })),
  };
}
