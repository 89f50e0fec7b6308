/**
 * The trigger form: its fields (named like the columns) read from a request body, checked field
 * by field, and turned into what the query module writes. Lengths follow the column sizes.
 * @module
 */
import { nextRuns, normalizeCron, validateCron } from "./cron.ts";
import type { FieldErrors, Parsed } from "./list.ts";
import { type DbTime, normalizeDbTime } from "./time.ts";
import {
  isTriggerStatus,
  isTriggerType,
  TRIGGER_TYPES,
  type TriggerStatus,
  type TriggerType,
  TYPE_LABELS,
} from "./trigger_status.ts";
import { type FormBody, textReader } from "./validate.ts";
import { formatWhitelist, MACHINE_NAME_MAX, WHITELIST_MAX, whitelistNames } from "./whitelist.ts";

/** The largest INTEGER both engines store. */
const INT_MAX = 2_147_483_647;

/** The list filters beside search, sort and paging: one type or all, any set of statuses. */
export type TriggerFilters = { type: TriggerType | ""; status: TriggerStatus[] };

/** Reads the list filters `type` and `status` (repeated) of a query string. */
export function readTriggerFilters(query: URLSearchParams): Parsed<TriggerFilters> {
  const errors: FieldErrors = {};
  const type = query.get("type") ?? "";
  if (type !== "" && !isTriggerType(type)) {
    errors.type = `Cannot filter by type '${type}': choose one of ${TRIGGER_TYPES.join(", ")}.`;
  }
  const status = [...new Set(query.getAll("status").filter((s) => s !== ""))];
  const unknown = status.find((s) => !isTriggerStatus(s));
  if (unknown !== undefined) {
    errors.status = `Cannot filter by status '${unknown}': not a trigger status.`;
  }
  return {
    value: {
      type: errors.type ? "" : type as TriggerType | "",
      status: errors.status ? [] : status as TriggerStatus[],
    },
    errors,
  };
}

/** The form as typed (re-rendered as it was after a rejected submit). */
export type TriggerFormValues = {
  type: string;
  trigger_name: string;
  process_name: string;
  process_path: string;
  process_args: string;
  is_git_repo: boolean;
  git_branch: string;
  is_blocking: boolean;
  priority: string;
  scheduler_whitelist: string[];
  cron_expr: string;
  /** `YYYY-MM-DDTHH:MM`. */
  next_run: string;
  queue_name: string;
  min_batch_size: string;
  /** A single trigger: run as soon as a scheduler sees it (the next run is now). */
  asap: boolean;
  /** The admin confirmed a next run in the past. */
  confirm_past: boolean;
  /** The stored next run when editing (no confirmation needed to keep it). */
  previous_next_run: string;
};

/** A checked trigger, ready to be written. */
export type TriggerInput = {
  type: TriggerType;
  trigger_name: string;
  process_name: string;
  process_path: string;
  /** `''` when empty, never NULL (NULL makes the scheduler fail to start the process). */
  process_args: string;
  is_git_repo: boolean;
  /** NULL unless given (and only for a git repository). */
  git_branch: string | null;
  is_blocking: boolean;
  priority: number;
  /** Exactly as `json.dumps` writes it. */
  scheduler_whitelist: string;
  /** Scheduled only. */
  cron_expr: string | null;
  /** Single and scheduled; null on an edit that keeps the stored next run (the scheduler may
   * have moved it since the form was opened: writing the old one back would run it twice). */
  next_run: DbTime | null;
  /** Queue only. */
  queue_name: string | null;
  min_batch_size: number | null;
};

/** The message on `next_run` that asks to confirm a time in the past. */
export const PAST_MESSAGE =
  "This time has passed: the trigger runs as soon as a scheduler sees it. Tick “Run at once” " +
  "to confirm, or choose a later time.";

/** Empty values for a new trigger (blocking on, priority 0, scheduled). */
export function newTriggerValues(type: TriggerType = "SCHEDULED"): TriggerFormValues {
  return {
    type,
    trigger_name: "",
    process_name: "",
    process_path: "",
    process_args: "",
    is_git_repo: false,
    git_branch: "",
    is_blocking: true,
    priority: "0",
    scheduler_whitelist: [],
    cron_expr: "",
    next_run: "",
    queue_name: "",
    min_batch_size: "1",
    asap: false,
    confirm_past: false,
    previous_next_run: "",
  };
}

function texts(body: FormBody, name: string): string[] {
  const raw = body[name];
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return list.filter((v): v is string => typeof v === "string");
}

function flag(body: FormBody, name: string): boolean {
  return texts(body, name).some((v) => ["on", "true", "1", "yes"].includes(v.toLowerCase()));
}

/** A checkbox sent after a hidden `off` (the form's way), so its last value is the answer. */
function lastFlag(body: FormBody, flag: { name: string; fallback: boolean }): boolean {
  const sent = texts(body, flag.name).at(-1);
  return sent === undefined
    ? flag.fallback
    : ["on", "true", "1", "yes"].includes(sent.toLowerCase());
}

/**
 * Reads the form's fields as typed; only text shapes are checked here. A script that leaves out
 * `is_blocking` or `priority` gets `defaults` (on create: blocking, priority 0; on an edit: the
 * stored values), so a partial post never silently resets them.
 */
export function readTriggerForm(
  body: FormBody,
  errors: FieldErrors,
  defaults: { is_blocking: boolean; priority: string } = { is_blocking: true, priority: "0" },
): TriggerFormValues {
  const read = textReader(body, errors);
  const text = (
    name: string,
    label: string,
    limits: { max: number; min?: number; trim?: boolean },
  ) => read(name, { label, min: 0, trim: true, ...limits });
  return {
    type: texts(body, "type")[0] ?? "",
    trigger_name: text("trigger_name", "Trigger name", { max: 100, min: 1 }),
    process_name: text("process_name", "Process name", { max: 100, min: 1 }),
    process_path: text("process_path", "Process path", { max: 250, min: 1 }),
    process_args: text("process_args", "Arguments", { max: 1000, min: 0, trim: false }),
    is_git_repo: flag(body, "is_git_repo"),
    git_branch: text("git_branch", "Git branch", { max: 100 }),
    is_blocking: lastFlag(body, { name: "is_blocking", fallback: defaults.is_blocking }),
    priority: body.priority === undefined
      ? defaults.priority
      : text("priority", "Priority", { max: 11 }),
    scheduler_whitelist: texts(body, "scheduler_whitelist"),
    cron_expr: text("cron_expr", "Cron expression", { max: 200 }),
    next_run: text("next_run", "Next run", { max: 26 }),
    queue_name: text("queue_name", "Queue name", { max: 100 }),
    min_batch_size: text("min_batch_size", "Minimum batch size", { max: 10 }),
    asap: flag(body, "asap"),
    confirm_past: flag(body, "confirm_past"),
    previous_next_run: texts(body, "previous_next_run")[0] ?? "",
  };
}

function wholeNumber(
  text: string,
  range: { field: string; label: string; min: number; fallback?: number; errors: FieldErrors },
): number | null {
  const { field, errors } = range;
  if (text === "" && range.fallback !== undefined) return range.fallback;
  const n = /^[+-]?\d{1,10}$/.test(text) ? Number(text) : NaN;
  if (!(n >= range.min && n <= INT_MAX)) {
    errors[field] ??= `${range.label} must be a whole number from ${range.min} to ${INT_MAX}.`;
    return null;
  }
  return n;
}

/**
 * Checks a next run typed as `YYYY-MM-DDTHH:MM` and returns the stored spelling; a time before
 * the current minute needs `confirmed` (it runs as soon as a scheduler sees it).
 */
export function checkNextRun(
  text: string,
  options: { now: DbTime; confirmed: boolean; errors: FieldErrors },
): DbTime | null {
  const { errors } = options;
  if (errors.next_run) return null;
  const time = normalizeDbTime(text);
  if (!time) {
    errors.next_run = "Next run must be a date and time (YYYY-MM-DDTHH:MM).";
    return null;
  }
  if (time.slice(0, 16) < options.now.slice(0, 16) && !options.confirmed) {
    errors.next_run = PAST_MESSAGE;
  }
  return time;
}

/**
 * Checks the form and builds what is written.
 * @param options.type the stored type when editing (it cannot change)
 * @param options.cron the stored cron expression when editing (a new one moves the next run)
 * @param options.gitBranch the database has `Triggers.git_branch`
 * @param options.now the current wall-clock time (a past next run asks for confirmation)
 * @param options.errors where each problem is written, by field
 */
export function checkTrigger(
  values: TriggerFormValues,
  options: {
    type?: string;
    cron?: string | null;
    gitBranch: boolean;
    now: DbTime;
    errors: FieldErrors;
  },
): TriggerInput | null {
  const { errors } = options;
  let type = values.type;
  if (options.type !== undefined) {
    if (type !== "" && type !== options.type) {
      errors.type = "The type of an existing trigger cannot change: create a new trigger instead.";
    }
    type = options.type;
  } else if (!isTriggerType(type)) {
    errors.type = `Type must be one of ${TRIGGER_TYPES.map((t) => TYPE_LABELS[t]).join(", ")}.`;
  }

  const priority = wholeNumber(values.priority, {
    field: "priority",
    label: "Priority",
    min: -INT_MAX - 1,
    fallback: 0,
    errors,
  });

  const names = whitelistNames(values.scheduler_whitelist);
  const whitelist = formatWhitelist(names);
  const long = names.find((n) => n.length > MACHINE_NAME_MAX);
  if (long) {
    errors.scheduler_whitelist = `A machine name can be at most ${MACHINE_NAME_MAX} characters (“${
      long.slice(0, 20)
    }…”).`;
  } else if (whitelist.length > WHITELIST_MAX) {
    errors.scheduler_whitelist =
      `The whitelist is stored as at most ${WHITELIST_MAX} characters; these names take ` +
      `${whitelist.length}. Remove some.`;
  }

  const nextRun = (text: string) =>
    checkNextRun(text, { now: options.now, confirmed: values.confirm_past, errors });
  // An edit that leaves the time as the form showed it keeps whatever is stored now.
  const keptNext = values.previous_next_run !== "" && values.next_run === values.previous_next_run;
  let cron: string | null = null;
  let next: DbTime | null = null;
  let queue: string | null = null;
  let batch: number | null = null;
  if (type === "SCHEDULED") {
    cron = normalizeCron(values.cron_expr);
    const problem = errors.cron_expr ? null : validateCron(cron, { now: options.now });
    if (problem) errors.cron_expr = problem;
    if (values.next_run !== "" && !keptNext) {
      next = nextRun(values.next_run);
    } else if (keptNext && cron === options.cron) {
      next = null;
    } else if (!errors.cron_expr) {
      // What the scheduler writes after each run: cronsim's first run after now.
      next = nextRuns(cron, options.now, 1)[0];
    }
  } else if (type === "SINGLE") {
    if (values.asap) next = options.now;
    else if (values.next_run === "") {
      errors.next_run ??= "Next run is required: a date and time, or “As soon as possible”.";
    } else if (!keptNext) next = nextRun(values.next_run);
  } else if (type === "QUEUE") {
    queue = values.queue_name;
    if (queue === "") errors.queue_name ??= "Queue name is required.";
    batch = wholeNumber(values.min_batch_size, {
      field: "min_batch_size",
      label: "Minimum batch size",
      min: 1,
      errors,
    });
  }

  if (Object.keys(errors).length) return null;
  return {
    type: type as TriggerType,
    trigger_name: values.trigger_name,
    process_name: values.process_name,
    process_path: values.process_path,
    process_args: values.process_args,
    is_git_repo: values.is_git_repo,
    git_branch: options.gitBranch && values.is_git_repo && values.git_branch !== ""
      ? values.git_branch
      : null,
    is_blocking: values.is_blocking,
    priority: priority!,
    scheduler_whitelist: whitelist,
    cron_expr: cron,
    next_run: next,
    queue_name: queue,
    min_batch_size: batch,
  };
}
