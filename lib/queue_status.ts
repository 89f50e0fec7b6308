/**
 * Queue element statuses and the rules of the queue actions (docs/design.md#queue-element-rules): which statuses an
 * action may move, when an element counts as stuck, and how long an element waited and worked.
 * @module
 */
import { type DbTime, formatDbTime, parseDbTime } from "./time.ts";
import { formatCount } from "./format.ts";

/** The stored queue element statuses, in the order the pages show them. */
export const QUEUE_STATUSES = ["NEW", "IN_PROGRESS", "DONE", "FAILED", "ABANDONED"] as const;

/** A stored queue element status. */
export type QueueStatus = typeof QUEUE_STATUSES[number];

/** How each status is shown. */
export const QUEUE_STATUS_LABELS: Record<QueueStatus, string> = {
  NEW: "New",
  IN_PROGRESS: "In progress",
  DONE: "Done",
  FAILED: "Failed",
  ABANDONED: "Abandoned",
};

/** True for a stored status name. */
function isQueueStatus(text: string): text is QueueStatus {
  return (QUEUE_STATUSES as readonly string[]).includes(text);
}

/** An element in progress for longer than this may be reset, when the admin confirms it is stuck. */
export const STUCK_MINUTES = 60;

/** The actions on queue elements. */
export const QUEUE_ACTIONS = ["retry", "abandon", "delete"] as const;

/** An action on queue elements. */
export type QueueAction = typeof QUEUE_ACTIONS[number];

/** How each action is said: the verb, and what was done. */
export const ACTION_WORDS: Record<QueueAction, { verb: string; past: string }> = {
  retry: { verb: "Retry", past: "retried" },
  abandon: { verb: "Abandon", past: "abandoned" },
  delete: { verb: "Delete", past: "deleted" },
};

/** True for an action name. */
export function isQueueAction(text: string): text is QueueAction {
  return (QUEUE_ACTIONS as readonly string[]).includes(text);
}

/** What the admin confirmed: retry done elements too; reset elements stuck in progress. */
export type ActionConfirmations = { done: boolean; stuck: boolean };

/**
 * Which elements an action may move: these statuses, and stuck in-progress ones when `stuck`;
 * `doneOnRequest` when done elements would move too, once confirmed.
 */
export type ActionRule = { from: QueueStatus[]; stuck: boolean; doneOnRequest?: boolean };

/**
 * The compare-and-set rule of an action. Retry: failed or abandoned (done after confirmation) →
 * new. Abandon: new or failed → abandoned. Delete: anything not in progress. In progress belongs
 * to a running robot: retry and delete touch it only when the admin confirms it is stuck.
 */
export function actionRule(action: QueueAction, confirmed: ActionConfirmations): ActionRule {
  switch (action) {
    case "retry":
      return confirmed.done
        ? { from: ["FAILED", "ABANDONED", "DONE"], stuck: confirmed.stuck }
        : { from: ["FAILED", "ABANDONED"], stuck: confirmed.stuck, doneOnRequest: true };
    case "abandon":
      return { from: ["NEW", "FAILED"], stuck: false };
    case "delete":
      return { from: ["NEW", "DONE", "FAILED", "ABANDONED"], stuck: confirmed.stuck };
  }
}

/** The stored time before which an in-progress element counts as stuck. */
export function stuckBefore(now: Date): DbTime {
  return formatDbTime(new Date(now.getTime() - STUCK_MINUTES * 60_000));
}

/** Why an element in `status` was left alone by an action (for the report), or null when it may move. */
export function skipReason(
  rule: ActionRule,
  seen: { element: { status: string; start_date: DbTime | null }; stuckMark: DbTime },
): string | null {
  const { element, stuckMark } = seen;
  if ((rule.from as string[]).includes(element.status)) return null;
  if (element.status === "IN_PROGRESS") {
    const stuck = element.start_date !== null && element.start_date < stuckMark;
    if (rule.stuck && stuck) return null;
    return stuck ? "in progress (confirm it is stuck)" : "in progress";
  }
  if (element.status === "DONE" && rule.doneOnRequest) return "done (confirm to retry)";
  const label = isQueueStatus(element.status) ? QUEUE_STATUS_LABELS[element.status] : "unknown";
  return `already ${label.toLowerCase()}`;
}

/** How long an element waited before a robot took it, and how long the robot worked on it. */
export function elementDurations(
  element: { created_date: DbTime; start_date: DbTime | null; end_date: DbTime | null },
): { waited: number | null; worked: number | null } {
  const ms = (a: DbTime | null, b: DbTime | null) =>
    a === null || b === null
      ? null
      : Math.max(0, parseDbTime(b).getTime() - parseDbTime(a).getTime());
  return {
    waited: ms(element.created_date, element.start_date),
    worked: ms(element.start_date, element.end_date),
  };
}

/** Says a duration in words: "850 ms", "42 s", "3 min 4 s", "2 h 5 min", "3 days 4 h". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  const days = d === 1 ? "1 day" : `${d} days`;
  return h % 24 ? `${days} ${h % 24} h` : days;
}

/** Says what an action did: "Retried 3 elements. Left alone: 1 in progress, 1 no longer exists." */
export function actionReport(
  action: QueueAction,
  result: { changed: number; skipped: Record<string, number> },
): string {
  const { changed, skipped } = result;
  const done = `${ACTION_WORDS[action].past[0].toUpperCase()}${
    ACTION_WORDS[action].past.slice(1)
  } ${changed === 1 ? "1 element" : `${formatCount(changed)} elements`}.`;
  const reasons = Object.entries(skipped).map(([reason, n]) => `${formatCount(n)} ${reason}`);
  return reasons.length ? `${done} Left alone: ${reasons.join(", ")}.` : done;
}
