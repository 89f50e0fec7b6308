/**
 * What raises an alert, read from the poller's snapshot alone (no query of its own): a trigger
 * that is FAILED or KILLED, new error logs of a process, new failed elements of a queue, a
 * scheduler offline for too long, a queue whose oldest new element waits too long, the database
 * unreachable for too long.
 *
 * Each alert has a subject (what it is about: one trigger, queue, process, machine) and a key
 * that names the episode (the failed run, the newest error, the outage): the alerter sends a
 * subject's key once, and at most one alert per subject in the repeat window.
 * @module
 */
import type { Snapshot } from "./poller.ts";
import { type DbTime, formatDbTime, inputTime, shiftTime } from "./time.ts";

/** The kinds of alert (the `kind` of the webhook's JSON). */
export type AlertKind =
  | "trigger_failed"
  | "error_logs"
  | "failed_elements"
  | "scheduler_offline"
  | "queue_waiting"
  | "database_unreachable"
  | "database_back"
  | "test";

/** One alert: what, since when, and where to look. */
export type Alert = {
  kind: AlertKind;
  /** What the alert is about: one alert per subject at a time. */
  subject: string;
  /** The episode: a subject's key is sent once. */
  key: string;
  /** One line saying what happened. */
  title: string;
  /** Since when (the database's local wall-clock time). */
  since: DbTime;
  /** The absolute address of the view that shows it. */
  link: string;
};

/** The thresholds and the address links start with. */
export type RuleOptions = {
  publicUrl: string;
  schedulerMinutes: number;
  queueMinutes: number;
  databaseMinutes: number;
};

/** A path with its query, percent-encoded. */
function path(base: string, query: Record<string, string> = {}): string {
  const search = new URLSearchParams(query).toString();
  return search ? `${base}?${search}` : base;
}

const segment = encodeURIComponent;

/**
 * The alerts the snapshot shows now (each rule reads a part that is there; a missing part raises
 * nothing). `outageSince` is when the database stopped answering, or null.
 */
export function currentAlerts(
  input: { snapshot: Snapshot; outageSince: Date | null; now: Date },
  options: RuleOptions,
): Alert[] {
  const { snapshot, now } = input;
  const at = (p: string) => `${options.publicUrl}${p}`;
  const nowText = formatDbTime(now);
  const alerts: Alert[] = [];
  const dashboard = snapshot.dashboard;
  for (const t of dashboard?.failedTriggers ?? []) {
    alerts.push({
      kind: "trigger_failed",
      subject: `trigger:${t.id}`,
      key: `${t.process_status}@${t.moment ?? ""}`,
      title: `Trigger "${t.trigger_name}" (process ${t.process_name}) is ${t.process_status}`,
      since: t.moment ?? nowText,
      link: at(`/triggers/${segment(t.id)}`),
    });
  }
  const hourAgo = shiftTime(nowText, -60 * 60_000);
  for (const g of snapshot.recentErrors ?? []) {
    alerts.push({
      kind: "error_logs",
      subject: `errors:${g.name}`,
      key: g.last,
      title: `Process ${g.name}: ${g.n} error log${g.n === 1 ? "" : "s"} in the last hour`,
      since: hourAgo,
      link: at(path(`/logs/${segment(g.name)}`, { level: "ERROR", from: inputTime(hourAgo) })),
    });
  }
  for (const g of dashboard?.failedElements ?? []) {
    alerts.push({
      kind: "failed_elements",
      subject: `failed:${g.name}`,
      key: g.last,
      title: `Queue ${g.name}: ${g.n} failed element${g.n === 1 ? "" : "s"}`,
      since: dashboard!.since,
      link: at(path(`/queues/${segment(g.name)}`, {
        status: "FAILED",
        date: "ended",
        from: inputTime(dashboard!.since),
      })),
    });
  }
  const offlineBefore = shiftTime(nowText, -options.schedulerMinutes * 60_000);
  for (const s of dashboard?.offlineSchedulers ?? []) {
    if (s.last_update > offlineBefore) continue;
    alerts.push({
      kind: "scheduler_offline",
      subject: `scheduler:${s.machine_name}`,
      key: s.last_update,
      title: `Scheduler ${s.machine_name} is offline`,
      since: s.last_update,
      link: at(path("/schedulers", { q: s.machine_name })),
    });
  }
  const waitingBefore = shiftTime(nowText, -options.queueMinutes * 60_000);
  for (const q of snapshot.queues?.rows ?? []) {
    if (q.oldestNew === null || q.oldestNew > waitingBefore) continue;
    alerts.push({
      kind: "queue_waiting",
      subject: `waiting:${q.name}`,
      key: q.oldestNew,
      title: `Queue ${q.name}: ${q.counts.NEW} new element${
        q.counts.NEW === 1 ? "" : "s"
      }, the oldest waiting for over ${options.queueMinutes} min`,
      since: q.oldestNew,
      link: at(path(`/queues/${segment(q.name)}`, { status: "NEW" })),
    });
  }
  const outage = input.outageSince;
  if (outage && now.getTime() - outage.getTime() >= options.databaseMinutes * 60_000) {
    alerts.push(
      databaseAlert("database_unreachable", { outageSince: outage, publicUrl: options.publicUrl }),
    );
  }
  return alerts;
}

/** The database went away (`database_unreachable`) or answers again (`database_back`). */
export function databaseAlert(
  kind: "database_unreachable" | "database_back",
  { outageSince, publicUrl }: { outageSince: Date; publicUrl: string },
): Alert {
  const since = formatDbTime(outageSince);
  return {
    kind,
    subject: kind === "database_back" ? "database:back" : "database",
    key: since,
    title: kind === "database_back"
      ? "The database answers again"
      : "The database cannot be reached",
    since,
    link: `${publicUrl}/healthz`,
  };
}
