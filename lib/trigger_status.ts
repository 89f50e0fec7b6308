/**
 * Trigger types and statuses as stored (enum NAMES), how they are shown, and the status rules of
 * our actions (docs/design.md#trigger-status-rules). Every rule is a compare-and-set in the database: the query module
 * writes `to` only where the status is still the `from` it was decided on.
 * @module
 */
import { nextRuns, validateCron } from "./cron.ts";
import { type DbTime, shiftTime } from "./time.ts";

/** Trigger types, as stored. */
export const TRIGGER_TYPES = ["SINGLE", "SCHEDULED", "QUEUE"] as const;

/** A trigger type. */
export type TriggerType = typeof TRIGGER_TYPES[number];

/** Trigger statuses, as stored; `KILLING` and `KILLED` only in revisions after 2.0.x. */
export const TRIGGER_STATUSES = [
  "IDLE",
  "RUNNING",
  "FAILED",
  "DONE",
  "PAUSED",
  "PAUSING",
  "KILLING",
  "KILLED",
] as const;

/** A trigger status. */
export type TriggerStatus = typeof TRIGGER_STATUSES[number];

/** How a type is shown. */
export const TYPE_LABELS: Record<TriggerType, string> = {
  SINGLE: "Single",
  SCHEDULED: "Scheduled",
  QUEUE: "Queue",
};

/** How a status is shown. */
export const STATUS_LABELS: Record<TriggerStatus, string> = {
  IDLE: "Idle",
  RUNNING: "Running",
  FAILED: "Failed",
  DONE: "Done",
  PAUSED: "Paused",
  PAUSING: "Pausing",
  KILLING: "Killing",
  KILLED: "Killed",
};

/** True for a stored type name we know. */
export function isTriggerType(value: string): value is TriggerType {
  return (TRIGGER_TYPES as readonly string[]).includes(value);
}

/** True for a stored status name we know. */
export function isTriggerStatus(value: string): value is TriggerStatus {
  return (TRIGGER_STATUSES as readonly string[]).includes(value);
}

/** A stored status for people; unknown names are shown as stored. */
export function statusLabel(status: string): string {
  return isTriggerStatus(status) ? STATUS_LABELS[status] : status;
}

/** A stored type for people; unknown names are shown as stored. */
export function typeLabel(type: string): string {
  return isTriggerType(type) ? TYPE_LABELS[type] : type;
}

/** The status actions. */
export const TRIGGER_ACTIONS = ["pause", "resume", "run", "kill", "reset"] as const;

/** A status action. */
export type TriggerAction = typeof TRIGGER_ACTIONS[number];

/** True for the name of a trigger action. */
export function isTriggerAction(text: string): text is TriggerAction {
  return (TRIGGER_ACTIONS as readonly string[]).includes(text);
}

/** What happens to `next_run` with a step: set to now, or to a time the admin gives. */
export type NextRunChange = "now" | "given";

type Rule = {
  from: readonly TriggerStatus[];
  to: TriggerStatus;
  /** Only these types (default: all). */
  types?: readonly TriggerType[];
  nextRun?: NextRunChange;
  /** Allowed only after the admin confirmed. */
  confirm?: boolean;
};

const RUNNABLE: TriggerType[] = ["SINGLE", "SCHEDULED"];

/** The status rules (docs/design.md#trigger-status-rules) as data. Never `RUNNING` → `IDLE`. */
const RULES: Record<TriggerAction, Rule[]> = {
  pause: [
    { from: ["IDLE", "FAILED", "DONE", "KILLED"], to: "PAUSED" },
    { from: ["RUNNING"], to: "PAUSING" },
  ],
  resume: [
    { from: ["PAUSED", "FAILED", "KILLED"], to: "IDLE" },
    { from: ["PAUSING"], to: "RUNNING" },
    { from: ["DONE"], to: "IDLE", types: ["SINGLE"], nextRun: "given" },
  ],
  run: [
    { from: ["IDLE"], to: "IDLE", types: RUNNABLE, nextRun: "now" },
    { from: ["PAUSED", "FAILED"], to: "IDLE", types: RUNNABLE, nextRun: "now", confirm: true },
  ],
  kill: [{ from: ["RUNNING", "PAUSING"], to: "KILLING" }],
  reset: [{ from: ["FAILED", "KILLED"], to: "IDLE" }],
};

/** How each action is said in messages ("Cannot pause …"). */
const ACTION_VERBS: Record<TriggerAction, string> = {
  pause: "pause",
  resume: "resume",
  run: "run now",
  kill: "kill",
  reset: "reset",
};

/** The statuses a trigger may be deleted in (never while a process may be running). */
const DELETABLE: readonly TriggerStatus[] = ["IDLE", "FAILED", "DONE", "PAUSED", "KILLED"];

/** The outcome of applying an action to a status. */
export type Step =
  | { ok: true; to: TriggerStatus; nextRun?: NextRunChange }
  | { ok: false; reason: "refused" | "confirm"; message: string };

/** The trigger an action is decided on. */
export type ActionSubject = { type: string; status: string };

/**
 * Decides an action: the status to write, or why not.
 * @param killing the database's revision knows `KILLING` (never written otherwise)
 * @param confirmed the admin confirmed (needed to run a paused or failed trigger now)
 */
export function decide(
  action: TriggerAction,
  subject: ActionSubject,
  options: { killing: boolean; confirmed?: boolean },
): Step {
  const verb = ACTION_VERBS[action];
  if (action === "kill" && !options.killing) {
    return {
      ok: false,
      reason: "refused",
      message: "Cannot kill: this database's revision (2.0.x) has no KILLING status.",
    };
  }
  if (action === "run" && subject.type === "QUEUE") {
    return {
      ok: false,
      reason: "refused",
      message: "Cannot run a queue trigger now: it starts when its queue has enough new elements.",
    };
  }
  const rule = RULES[action].find((r) =>
    (r.from as readonly string[]).includes(subject.status) &&
    (!r.types || (r.types as readonly string[]).includes(subject.type))
  );
  if (!rule) {
    return {
      ok: false,
      reason: "refused",
      message: `Cannot ${verb}: the trigger is ${statusLabel(subject.status)}.`,
    };
  }
  if (rule.confirm && !options.confirmed) {
    return {
      ok: false,
      reason: "confirm",
      message: `Confirm to ${verb}: the trigger is ${statusLabel(subject.status)}.`,
    };
  }
  return { ok: true, to: rule.to, nextRun: rule.nextRun };
}

/** True when a trigger in this status may be deleted. */
export function canDelete(status: string): boolean {
  return (DELETABLE as readonly string[]).includes(status);
}

/**
 * The actions offered for a trigger (the buttons of its row and detail view): pause and resume
 * are one toggle, and a failed or killed trigger offers reset rather than resume.
 */
export function offeredActions(subject: ActionSubject, killing: boolean): TriggerAction[] {
  const allowed = (action: TriggerAction) =>
    decide(action, subject, { killing, confirmed: true }).ok;
  const toggle = allowed("resume") && !allowed("reset") ? "resume" : "pause";
  return TRIGGER_ACTIONS.filter((action) =>
    allowed(action) && (action === toggle || (action !== "pause" && action !== "resume"))
  );
}

/** True when the action is allowed from this status only after the admin confirms. */
export function needsConfirm(action: TriggerAction, subject: ActionSubject): boolean {
  const step = decide(action, subject, { killing: true });
  return !step.ok && step.reason === "confirm";
}

/**
 * Whether a scheduled trigger's stored next run is a time its cron expression gives. It is not
 * after "Run now", a time typed in an edit, or a write by a script; the scheduler then runs it at
 * that time once and goes back to the expression. An expression the scheduler cannot read is
 * flagged on its own, so it counts as on schedule here.
 */
export function onSchedule(cron: string, nextRun: DbTime): boolean {
  if (validateCron(cron) !== null) return true;
  const [due] = nextRuns(cron, shiftTime(nextRun, -60_000), 1);
  return due !== undefined && due.slice(0, 16) === nextRun.slice(0, 16);
}
