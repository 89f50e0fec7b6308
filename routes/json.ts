/**
 * The JSON interface's shapes: one serializer per resource, each naming every key it sends
 * (snake_case, enum values as stored, times as `YYYY-MM-DDTHH:MM:SS` local time). The README's
 * "JSON shapes" section documents each one; `json_test.ts` checks every route against it.
 * @module
 */
import type { Constant } from "../db/constants.ts";
import type { Dashboard, GroupCount, TriggerProblem } from "../db/dashboard.ts";
import type { CountedPage } from "../db/list.ts";
import { backlogOf, endedOf, type QueuePerformance } from "../db/queue_performance.ts";
import type { SearchResults } from "../db/search.ts";
import type { Forecast } from "../lib/forecast.ts";
import type { LogRow } from "../db/logs.ts";
import type { ActionResult, QueueElement, QueueSummary } from "../db/queues.ts";
import type { Scheduler, SchedulerOverview } from "../db/schedulers.ts";
import type { Trigger } from "../db/triggers.ts";
import type { CronResult } from "../lib/cron.ts";
import { formatCursor } from "../lib/cursor.ts";
import type { ProcessLogs } from "../lib/log_summary.ts";
import { type DbTime, jsonTime, parseDbTime } from "../lib/time.ts";
import { VERSION } from "../lib/version.ts";
import type { DbInfo, DbProblem } from "../db/connection.ts";
import type { CredentialRow } from "../templates/credentials.tsx";

/** A JSON object as sent. */
export type Json = Record<string, unknown>;

/** An offset-paged list: `{rows, total}`. */
export function listJson<T>(list: { rows: T[]; total: number }, shape: (row: T) => Json): Json {
  return { rows: list.rows.map(shape), total: list.total };
}

/**
 * A keyset-paged list: `{rows, total, total_capped, next, previous, searched_to}`. A text search
 * that did not read to its end has `total` null (not counted) and, when its page ended with its
 * slice of rows, `searched_to`: how far it read; its `next` searches on (it may hold no rows).
 */
export function keysetJson<T>(page: CountedPage<T>, shape: (row: T) => Json): Json {
  return {
    rows: page.rows.map(shape),
    total: page.total?.count ?? null,
    total_capped: page.total?.capped ?? false,
    next: page.next && formatCursor(page.next),
    previous: page.previous && formatCursor(page.previous),
    searched_to: page.searchedTo ? jsonTime(page.searchedTo) : null,
  };
}

/** `constant` */
export function constantJson(row: Constant): Json {
  return { name: row.name, value: row.value, changed_at: jsonTime(row.changed_at) };
}

/** `credential`: never the password, only what its token tells. */
export function credentialJson(row: CredentialRow): Json {
  return {
    name: row.name,
    username: row.username,
    changed_at: jsonTime(row.changed_at),
    password_length: row.length && { min: row.length.min, max: row.length.max },
    made_with_configured_key: row.keyMatches,
  };
}

/** `revealed`: a password decrypted with the typed key. */
export function revealedJson(revealed: { name: string; password: string }): Json {
  return { name: revealed.name, password: revealed.password };
}

/** `trigger` */
export function triggerJson(row: Trigger): Json {
  return {
    id: row.id,
    trigger_name: row.trigger_name,
    type: row.type,
    process_status: row.process_status,
    process_name: row.process_name,
    process_path: row.process_path,
    process_args: row.process_args,
    is_git_repo: row.is_git_repo,
    is_blocking: row.is_blocking,
    priority: row.priority,
    last_run: jsonTime(row.last_run),
    scheduler_whitelist: row.scheduler_whitelist,
    git_branch: row.git_branch,
    next_run: jsonTime(row.next_run),
    cron_expr: row.cron_expr,
    queue_name: row.queue_name,
    min_batch_size: row.min_batch_size,
  };
}

/** `cron`: the next runs of an expression and its description, or the problem with it. */
export function cronJson(result: CronResult): Json {
  return result.ok
    ? { next: result.next.map(jsonTime), description: result.description }
    : { errors: { expr: result.error } };
}

/** `scheduler` */
function schedulerJson(row: Scheduler): Json {
  return {
    machine_name: row.machine_name,
    state: row.state,
    last_update: jsonTime(row.last_update),
    latest_trigger: row.latest_trigger,
    latest_trigger_time: jsonTime(row.latest_trigger_time),
    whitelisted: row.whitelisted,
  };
}

/** `schedulers`: a page of machines, and the triggers' whitelists read against them. */
export function schedulersJson(overview: SchedulerOverview): Json {
  return {
    ...listJson(overview, schedulerJson),
    open: overview.open,
    unknown: overview.unknown.map((u) => ({ machine: u.machine, triggers: u.triggers })),
  };
}

/** `queue` */
export function queueJson(row: QueueSummary): Json {
  return {
    queue_name: row.name,
    new: row.counts.NEW,
    in_progress: row.counts.IN_PROGRESS,
    done: row.counts.DONE,
    failed: row.counts.FAILED,
    abandoned: row.counts.ABANDONED,
    total: row.total,
    oldest_new: jsonTime(row.oldestNew),
    last_activity: jsonTime(row.lastActivity),
    triggers: row.triggers.map((t) => ({
      id: t.id,
      trigger_name: t.trigger_name,
      process_name: t.process_name,
      process_status: t.process_status,
    })),
  };
}

/** `element` */
export function elementJson(row: QueueElement): Json {
  return {
    id: row.id,
    queue_name: row.queue_name,
    status: row.status,
    data: row.data,
    reference: row.reference,
    created_date: jsonTime(row.created_date),
    start_date: jsonTime(row.start_date),
    end_date: jsonTime(row.end_date),
    message: row.message,
    created_by: row.created_by,
  };
}

/** `queue_action`: how many elements changed, and how many were skipped for which reason. */
export function queueActionJson(result: ActionResult, message: string): Json {
  return { ok: result.changed > 0, message, changed: result.changed, skipped: result.skipped };
}

/** `process_logs` */
export function processLogsJson(row: ProcessLogs): Json {
  return {
    process_name: row.process,
    trace: row.counts.TRACE ?? 0,
    info: row.counts.INFO ?? 0,
    error: row.counts.ERROR ?? 0,
    total: row.total,
    last_log: jsonTime(row.lastLog),
    last_error: jsonTime(row.lastError),
  };
}

/** `log` */
export function logJson(row: LogRow): Json {
  return {
    id: row.id,
    log_time: jsonTime(row.log_time),
    log_level: row.log_level,
    process_name: row.process_name,
    log_message: row.log_message,
  };
}

/** `delete_older`: where a delete of a process's old log rows stands. */
export function deleteOlderJson(
  state: { running: boolean; stopping: boolean; deleted: number; message: string | null },
): Json {
  return {
    ok: true,
    running: state.running,
    stopping: state.stopping,
    deleted: state.deleted,
    message: state.message,
  };
}

function groupJson(row: GroupCount): Json {
  return { name: row.name, count: row.n, last: jsonTime(row.last) };
}

function problemJson(row: TriggerProblem): Json {
  return {
    id: row.id,
    trigger_name: row.trigger_name,
    process_name: row.process_name,
    process_status: row.process_status,
    type: row.type,
    moment: jsonTime(row.moment),
  };
}

/** `dashboard`: what failed since the window's start (all empty before the first read). */
export function dashboardJson(read: Dashboard | null, window: string): Json {
  if (read === null) {
    return {
      window,
      read_at: null,
      since: null,
      error_logs: [],
      failed_elements: [],
      failed_triggers: [],
      overdue_triggers: [],
      offline_schedulers: [],
      chart: [],
    };
  }
  return {
    window,
    read_at: jsonTime(read.now),
    since: jsonTime(read.since),
    error_logs: read.errorLogs.map(groupJson),
    failed_elements: read.failedElements.map(groupJson),
    failed_triggers: read.failedTriggers.map(problemJson),
    overdue_triggers: read.overdueTriggers.map(problemJson),
    offline_schedulers: read.offlineSchedulers.map((s) => ({
      machine_name: s.machine_name,
      last_update: jsonTime(s.last_update),
    })),
    chart: read.chart.map((d) => ({ day: d.day, done: d.done, failed: d.failed })),
  };
}

/** `health`: whether the app and its database can serve. */
export function healthJson(state: {
  status: string;
  message: string | null;
  trouble: DbProblem | null;
  engine: string;
  info: DbInfo;
  lastRound: DbTime | null;
}): Json {
  const { trouble, info } = state;
  return {
    status: state.status,
    message: state.message,
    version: VERSION,
    database: {
      reachable: trouble !== "unreachable",
      writable: trouble === null,
      engine: state.engine,
      name: info.name,
      revision: info.revision,
      missing_tables: info.missingTables,
    },
    poller: { last_round: jsonTime(state.lastRound) },
  };
}

/** `change`: what a change did, in the words the page's flash shows. */
export function changeJson(message: string, more: Json = {}): Json {
  return { ok: true, message, ...more };
}

/** `performance`: a queue's days, oldest first, and the totals. */
export function performanceJson(perf: QueuePerformance): Json {
  const { arrived, ended } = backlogOf(perf);
  const now = parseDbTime(perf.now).getTime();
  return {
    queue: perf.queue,
    days: perf.span,
    now: jsonTime(perf.now),
    oldest_new: jsonTime(perf.oldestNew),
    oldest_new_age_seconds: perf.oldestNew === null
      ? null
      : Math.max(0, Math.round((now - parseDbTime(perf.oldestNew).getTime()) / 1000)),
    arrived,
    ended,
    backlog_change: arrived - ended,
    rows: perf.days.map((d) => ({
      day: d.day,
      done: d.done,
      failed: d.failed,
      abandoned: d.abandoned,
      ended: endedOf(d),
      arrived: d.arrived,
      median_ms: d.medianMs,
      p95_ms: d.p95Ms,
    })),
  };
}

/** `search`: every group of results, each with the rows of its kind and whether there were `more`. */
export function searchJson(results: SearchResults): Json {
  return {
    ...results,
    since: jsonTime(results.since),
    elements: {
      ...results.elements,
      rows: results.elements.rows.map((r) => ({
        ...r,
        created_date: jsonTime(r.created_date),
        start_date: jsonTime(r.start_date),
        end_date: jsonTime(r.end_date),
      })),
    },
    schedulers: {
      ...results.schedulers,
      rows: results.schedulers.rows.map((r) => ({ ...r, last_update: jsonTime(r.last_update) })),
    },
    messages: {
      rows: results.messages.rows.map(logJson),
      more: results.messages.more,
      searched_to: jsonTime(results.messages.searchedTo ?? null),
    },
  };
}

/** `forecast`: the runs of the window (see the README's forecast paragraph). */
export function forecastJson(f: Forecast): Json {
  return {
    ...f,
    now: jsonTime(f.now),
    until: jsonTime(f.until),
    groups: f.groups.map((g) => ({
      ...g,
      rows: g.rows.map((r) => ({
        ...r,
        runs: r.runs.map(jsonTime),
        bands: r.bands.map((b) => ({ ...b, from: jsonTime(b.from), to: jsonTime(b.to) })),
      })),
    })),
    collisions: f.collisions.map((c) => ({ ...c, at: jsonTime(c.at) })),
  };
}
