/**
 * The trigger form (one form for the three types; the type's own fields show as it changes),
 * the live cron preview, and the "run again" form of a finished single trigger.
 * @module
 */
import type { Trigger, TriggerChoices } from "../db/triggers.ts";
import { type CronResult, previewCron } from "../lib/cron.ts";
import type { FieldErrors } from "../lib/list.ts";
import { displayTime, formatDbTime, inputTime, relativeTime } from "../lib/time.ts";
import { PAST_MESSAGE, type TriggerFormValues } from "../lib/trigger_input.ts";
import { TRIGGER_TYPES, TYPE_LABELS, typeLabel } from "../lib/trigger_status.ts";
import { parseWhitelist, whitelistNames } from "../lib/whitelist.ts";
import { EditorForm, Field, FormButtons, FormError } from "./forms.tsx";
import { triggerPath } from "./paths.ts";
import { Quoted } from "./glyphs.tsx";

/**
 * The form's values for a stored trigger. An unreadable whitelist (e.g. `a,b` from another
 * writer) is offered as its text, split into names, so saving writes it back as JSON.
 */
export function formValuesOf(trigger: Trigger): TriggerFormValues {
  const whitelist = parseWhitelist(trigger.scheduler_whitelist);
  return {
    type: trigger.type,
    trigger_name: trigger.trigger_name,
    process_name: trigger.process_name,
    process_path: trigger.process_path,
    process_args: trigger.process_args ?? "",
    is_git_repo: trigger.is_git_repo,
    git_branch: trigger.git_branch ?? "",
    is_blocking: trigger.is_blocking,
    priority: String(trigger.priority),
    scheduler_whitelist: whitelist.invalid === undefined ? whitelist.names : [whitelist.invalid],
    cron_expr: trigger.cron_expr ?? "",
    next_run: inputTime(trigger.next_run),
    queue_name: trigger.queue_name ?? "",
    min_batch_size: String(trigger.min_batch_size ?? 1),
    asap: false,
    confirm_past: false,
    previous_next_run: inputTime(trigger.next_run),
  };
}

/** Said of a stored cron expression that cronsim refuses. */
export const STORED_CRON_WARNING = "The scheduler cannot read this expression: it fails when it " +
  "begins this trigger, which then never runs. Edit the trigger to fix it.";

/**
 * The cron preview: a description and the next 5 runs, or why the expression is invalid. A
 * `stored` expression that is invalid (written before OpenOrchestrator 1.3.1, or by a script)
 * also says what that means for the scheduler.
 */
export function CronPreview(props: { result: CronResult | null; now: Date; stored?: boolean }) {
  const { result } = props;
  if (!result) return <p class="muted">Type a cron expression to see its next runs.</p>;
  if (!result.ok && props.stored) {
    return (
      <p class="field-error" role="alert">
        <strong>{STORED_CRON_WARNING}</strong> {result.error}
      </p>
    );
  }
  if (!result.ok) return <p class="field-error">{result.error}</p>;
  return (
    <>
      <p>{result.description}</p>
      <ol class="runs">
        {result.next.map((r) => (
          <li>
            {displayTime(r)} <span class="muted">{relativeTime(r, props.now)}</span>
          </li>
        ))}
      </ol>
    </>
  );
}

/** A checkbox with its label (checked state kept across a rejected submit). */
function Checkbox(
  props: {
    name: string;
    label: string;
    checked: boolean;
    hint?: string;
    attrs?: Record<string, string>;
  },
) {
  return (
    <div class="field check">
      <label>
        <input
          type="checkbox"
          name={props.name}
          value="on"
          checked={props.checked}
          {...props.attrs}
        />{" "}
        {props.label}
      </label>
      {props.hint && <small class="hint">{props.hint}</small>}
    </div>
  );
}

/** The "Run at once" confirmation, shown when a chosen next run has passed. */
function ConfirmPast(props: { errors?: FieldErrors }) {
  if (props.errors?.next_run !== PAST_MESSAGE) return null;
  return <Checkbox name="confirm_past" label="Run at once" checked={false} />;
}

/** The form's choices and state besides the values. */
export type TriggerFormProps = {
  values: TriggerFormValues;
  errors?: FieldErrors;
  /** The id when editing. */
  id?: string;
  choices: TriggerChoices;
  /** The database has `Triggers.git_branch`. */
  gitBranch: boolean;
  now: Date;
};

function typeFields(type: string, current: string) {
  const off = type !== current;
  return {
    hidden: off,
    disabled: off,
    "x-bind:hidden": `type !== '${type}'`,
    "x-bind:disabled": `type !== '${type}'`,
  };
}

/** The text fields that say what a trigger runs, in the order the form shows them. */
const PROCESS_FIELDS: {
  name: "trigger_name" | "process_name" | "process_path" | "process_args";
  label: string;
  maxlength: number;
  required?: boolean;
  hint?: string;
}[] = [
  { name: "trigger_name", label: "Trigger name", maxlength: 100, required: true },
  {
    name: "process_name",
    label: "Process name",
    maxlength: 100,
    required: true,
    hint: "The name the process logs under.",
  },
  {
    name: "process_path",
    label: "Process path",
    maxlength: 250,
    required: true,
    hint: "A .py file, a folder, or a git repository URL.",
  },
  {
    name: "process_args",
    label: "Arguments",
    maxlength: 1000,
    hint: "Passed to the process as one string (may be empty).",
  },
];

/** The create or edit form; `id` is set when editing (the type is fixed then). */
export function TriggerForm(props: TriggerFormProps) {
  const { values, errors, id } = props;
  const editing = id !== undefined;
  const action = editing ? triggerPath(id) : "/triggers";
  const chosen = whitelistNames(values.scheduler_whitelist);
  const machines = [...new Set([...props.choices.machines, ...chosen])];
  const cron = values.cron_expr.trim();
  const f = { form: "trigger", errors };
  return (
    <EditorForm
      id="trigger-form"
      action={action}
      attrs={{
        "x-data": "triggerForm",
        "data-type": values.type,
        "data-git": values.is_git_repo ? "on" : "",
      }}
    >
      <h2>
        {editing
          ? (
            <>
              Edit trigger <Quoted>{values.trigger_name}</Quoted>
            </>
          )
          : "New trigger"}
      </h2>
      <FormError errors={errors} />
      <div class="form-col">
        {editing
          ? (
            <p class="field">
              <strong>Type:</strong> {typeLabel(values.type)}{" "}
              <small class="hint">The type of an existing trigger cannot change.</small>
            </p>
          )
          : (
            <div class={errors?.type ? "field invalid" : "field"}>
              <label for="trigger-type">Type</label>
              <select
                id="trigger-type"
                name="type"
                x-on:change="choose"
                aria-invalid={errors?.type ? "true" : undefined}
              >
                {TRIGGER_TYPES.map((t) => (
                  <option value={t} selected={values.type === t}>{TYPE_LABELS[t]}</option>
                ))}
              </select>
              {errors?.type && <p id="trigger-type-error" class="field-error">{errors.type}</p>}
            </div>
          )}
        {PROCESS_FIELDS.map((field) => <Field {...f} {...field} value={values[field.name]} />)}
        <Checkbox
          name="is_git_repo"
          label="Git repository"
          checked={values.is_git_repo}
          attrs={{ "x-on:change": "toggleGit" }}
        />
        {props.gitBranch && (
          <div hidden={!values.is_git_repo} x-bind:hidden="!git">
            <Field
              {...f}
              name="git_branch"
              label="Git branch"
              value={values.git_branch}
              maxlength={100}
              hint="Blank: the repository's default branch."
            />
          </div>
        )}
        <input type="hidden" name="is_blocking" value="off" />
        <Checkbox
          name="is_blocking"
          label="Blocking"
          checked={values.is_blocking}
          hint="A blocking trigger runs alone on its scheduler machine."
        />
        <Field
          {...f}
          name="priority"
          label="Priority"
          type="number"
          value={values.priority}
          hint="Among triggers due at once, the highest priority starts first."
          attrs={{ step: 1 }}
        />
      </div>
      <div class="form-col">
        <fieldset
          class={errors?.scheduler_whitelist ? "field whitelist invalid" : "field whitelist"}
        >
          <legend>Scheduler whitelist</legend>
          <div class="chips">
            {machines.map((m) => (
              <label class="chip">
                <input
                  type="checkbox"
                  name="scheduler_whitelist"
                  value={m}
                  checked={chosen.includes(m)}
                />
                {m}
                {!props.choices.machines.includes(m) && <small class="muted">unknown</small>}
              </label>
            ))}
          </div>
          <input
            id="trigger-scheduler_whitelist"
            type="text"
            name="scheduler_whitelist"
            maxlength={250}
            placeholder="Other machine names, separated by commas"
            aria-label="Other machine names"
            aria-invalid={errors?.scheduler_whitelist ? "true" : undefined}
          />
          <small class="hint">None chosen: any scheduler machine may run it.</small>
          {errors?.scheduler_whitelist && (
            <p id="trigger-scheduler_whitelist-error" class="field-error">
              {errors.scheduler_whitelist}
            </p>
          )}
        </fieldset>

        <fieldset class="type-fields" {...typeFields("SCHEDULED", values.type)}>
          <legend>Schedule</legend>
          <Field
            {...f}
            name="cron_expr"
            label="Cron expression"
            value={values.cron_expr}
            maxlength={200}
            hint="5 fields: minute hour day-of-month month day-of-week, e.g. 0 7 * * MON-FRI."
            attrs={{
              "hx-get": "/triggers/cron",
              "hx-trigger": "input changed delay:300ms",
              "hx-target": "#cron-preview",
              "hx-swap": "innerHTML",
              autocomplete: "off",
            }}
          />
          <div id="cron-preview" class="cron-preview" aria-live="polite">
            <CronPreview
              result={cron ? previewCron(cron, formatDbTime(props.now)) : null}
              now={props.now}
            />
          </div>
          <Field
            form="trigger-first"
            errors={errors}
            name="next_run"
            label="First run"
            type="datetime-local"
            value={values.next_run}
            hint="Blank: the first time the cron expression gives after now."
          />
        </fieldset>
        <fieldset class="type-fields" {...typeFields("SINGLE", values.type)}>
          <legend>When</legend>
          <label class="inline">
            <input type="checkbox" name="asap" value="on" checked={values.asap} />{" "}
            As soon as possible: a scheduler starts it at its next check
          </label>
          <Field
            form="trigger-single"
            errors={errors}
            name="next_run"
            label="Date and time"
            type="datetime-local"
            value={values.next_run}
            hint='Or a date and time (left alone when "As soon as possible" is ticked).'
          />
        </fieldset>
        <fieldset class="type-fields" {...typeFields("QUEUE", values.type)}>
          <legend>Queue</legend>
          <Field
            {...f}
            name="queue_name"
            label="Queue name"
            value={values.queue_name}
            maxlength={200}
            attrs={{ list: "trigger-queue-names", autocomplete: "off" }}
          />
          <datalist id="trigger-queue-names">
            {props.choices.queues.map((q) => <option value={q} />)}
          </datalist>
          <Field
            {...f}
            name="min_batch_size"
            label="Minimum batch size"
            type="number"
            value={values.min_batch_size}
            hint="Starts when at least this many new elements wait in the queue."
            attrs={{ min: 1, step: 1 }}
          />
        </fieldset>
        <ConfirmPast errors={errors} />
        {editing && (
          <input type="hidden" name="previous_next_run" value={values.previous_next_run} />
        )}
      </div>
      <FormButtons submit={editing ? "Save" : "Create"} />
    </EditorForm>
  );
}

/** Asks when a finished single trigger should run again (resume from `DONE`). */
export function RunAgainForm(props: {
  trigger: Trigger;
  next_run: string;
  errors?: FieldErrors;
}) {
  const { trigger } = props;
  const action = `${triggerPath(trigger.id)}/actions/resume`;
  return (
    <EditorForm id="run-again-form" action={action}>
      <h2>
        Run <Quoted>{trigger.trigger_name}</Quoted> again
      </h2>
      <FormError errors={props.errors} />
      <input type="hidden" name="seen_status" value={trigger.process_status} />
      <Field
        form="again"
        errors={props.errors}
        name="next_run"
        label="Date and time"
        type="datetime-local"
        value={props.next_run}
        required
      />
      <ConfirmPast errors={props.errors} />
      <FormButtons submit="Run again" />
    </EditorForm>
  );
}
