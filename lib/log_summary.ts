/**
 * The per-process log counts the Logs overview shows, kept as a tally that grows by adding the
 * counts of new time ranges (the poller counts only what is new; see `db/logs.ts`).
 * @module
 */
import { field, type ListColumn, type MemoryList } from "./list.ts";
import { type DbTime, later } from "./time.ts";
import { LOG_LEVEL_LABELS, LOG_LEVELS } from "./log_level.ts";

/** Counts of one process by stored level name. */
export type LevelCounts = Record<string, number>;

/** One process as the overview shows it. */
export type ProcessLogs = {
  process: string;
  counts: LevelCounts;
  total: number;
  lastLog: DbTime | null;
  lastError: DbTime | null;
};

/** The Logs overview's list of processes. */
export const PROCESSES_LIST: MemoryList<ProcessLogs> = {
  name: "processes",
  paging: "page",
  columns: [
    field("process", "Process", true),
    ...LOG_LEVELS.map((level): ListColumn<ProcessLogs> => ({
      key: level.toLowerCase(),
      label: LOG_LEVEL_LABELS[level],
      sort: true,
      value: (r) => r.counts[level] ?? 0,
    })),
    field("total", "Total", true),
    { key: "last_log", label: "Last log", sort: true, value: (r) => r.lastLog },
    { key: "last_error", label: "Last error", sort: true, value: (r) => r.lastError },
  ],
  sort: "process",
  dir: "asc",
  size: 50,
  search: (r) => [r.process],
};

/** Counted rows of one process and level in some time range, and the newest of them. */
export type LevelGroup = { process_name: string; log_level: string; n: number; last: DbTime };

/** Counts by process. */
export type Tally = Record<string, Omit<ProcessLogs, "process">>;

/** Adds counted groups into a tally (in place) and returns it. */
export function addGroups(tally: Tally, groups: LevelGroup[]): Tally {
  for (const g of groups) {
    const entry = tally[g.process_name] ??= {
      counts: {},
      total: 0,
      lastLog: null,
      lastError: null,
    };
    const n = Number(g.n);
    entry.counts[g.log_level] = (entry.counts[g.log_level] ?? 0) + n;
    entry.total += n;
    entry.lastLog = later(entry.lastLog, g.last);
    if (g.log_level === "ERROR") entry.lastError = later(entry.lastError, g.last);
  }
  return tally;
}

/** A copy of a tally that can grow without changing the original. */
export function copyTally(tally: Tally): Tally {
  return Object.fromEntries(
    Object.entries(tally).map(([k, v]) => [k, { ...v, counts: { ...v.counts } }]),
  );
}

/** The overview rows of a tally, by process name. */
export function processRows(tally: Tally): ProcessLogs[] {
  return Object.entries(tally).map(([process, v]) => ({ process, ...v }))
    .sort((a, b) => a.process < b.process ? -1 : a.process > b.process ? 1 : 0);
}
