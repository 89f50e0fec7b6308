/**
 * The Triggers page: the live list with filters, each row's actions, and the detail view.
 * @module
 */
import { CancelButton, EditorLink } from "./forms.tsx";
import type { Trigger } from "../db/triggers.ts";
import { previewCron, validateCron } from "../lib/cron.ts";
import type { Page } from "../db/list.ts";
import type { FieldErrors, ListDefinition, ListParams } from "../lib/list.ts";
import { displayTime, formatDbTime, inputTime } from "../lib/time.ts";
import type { TriggerFilters } from "../lib/trigger_input.ts";
import {
  canDelete,
  needsConfirm,
  offeredActions,
  onSchedule,
  STATUS_LABELS,
  statusLabel,
  TRIGGER_STATUSES,
  TRIGGER_TYPES,
  type TriggerAction,
  TYPE_LABELS,
  typeLabel,
} from "../lib/trigger_status.ts";
import { parseWhitelist } from "../lib/whitelist.ts";
import { actionsColumn, type Column, DataTable, replacesTable, SearchBox } from "./table.tsx";
import { Moment } from "./time.tsx";
import { CronPreview, STORED_CRON_WARNING } from "./trigger_form.tsx";
import { logsPath, triggerPath } from "./paths.ts";
import { TriggerStatusBadge } from "./badges.tsx";
import { GLYPHS } from "./glyphs.tsx";

/** What a trigger's row and detail view need besides the trigger. */
export type TriggerContext = {
  canWrite: boolean;
  /** The database knows `KILLING` (kill is offered). */
  killing: boolean;
  now: Date;
};

/** The list state and rows of one triggers page. */
export type TriggersView = TriggerContext & {
  list: ListDefinition<never>;
  params: ListParams;
  /** What is wrong with the list's parameters (nothing when empty). */
  errors: FieldErrors;
  filters: TriggerFilters;
  page: Page<Trigger>;
};

/**
 * True when an idle single or scheduled trigger's next run passed more than a minute ago (a
 * scheduler looks every few seconds, so it should have started by then).
 */
function overdue(trigger: Trigger, now: Date): boolean {
  return trigger.process_status === "IDLE" && trigger.next_run !== null &&
    trigger.next_run < formatDbTime(new Date(now.getTime() - 60_000));
}

function NextRun(props: { trigger: Trigger; now: Date }) {
  const { trigger } = props;
  if (trigger.type === "QUEUE") {
    return (
      <span>
        <code>{trigger.queue_name}</code>
        <small class="muted block">batch {GLYPHS.ge} {trigger.min_batch_size}</small>
      </span>
    );
  }
  return (
    <>
      {overdue(trigger, props.now) && <span class="badge tone-error">Overdue</span>}
      <Moment time={trigger.next_run} now={props.now} empty="never" />
      {offSchedule(trigger) && (
        <span class="badge tone-paused" title={OFF_SCHEDULE}>not on its cron schedule</span>
      )}
    </>
  );
}

const OFF_SCHEDULE = "This next run is not a time its cron expression gives (set by Run now, an " +
  "edit or a script): the scheduler runs it then once, and follows the expression after it.";

function offSchedule(trigger: Trigger): boolean {
  return trigger.cron_expr !== null && trigger.next_run !== null &&
    !onSchedule(trigger.cron_expr, trigger.next_run);
}

/** The machines a trigger may run on. */
function WhitelistChips(props: { stored: string | null }) {
  const { names, invalid } = parseWhitelist(props.stored);
  if (invalid !== undefined) {
    return (
      <span class="badge tone-error" title="The scheduler cannot read this whitelist">
        unreadable: {invalid}
      </span>
    );
  }
  if (names.length === 0) return <span class="muted">any machine</span>;
  return <span class="chips">{names.map((n) => <span class="chip">{n}</span>)}</span>;
}

const BUTTON_LABELS: Record<TriggerAction, string> = {
  pause: "Pause",
  resume: "Resume",
  run: "Run now",
  kill: "Kill",
  reset: "Reset",
};

function confirmText(
  action: TriggerAction,
  { trigger, now }: { trigger: Trigger; now: Date },
): string | undefined {
  const name = `"${trigger.trigger_name}"`;
  const status = statusLabel(trigger.process_status);
  if (action === "kill") return `Kill the running process of ${name}?`;
  if (needsConfirm(action, { type: trigger.type, status: trigger.process_status })) {
    return `${name} is ${status}. Run it now anyway?`;
  }
  if ((action === "resume" || action === "reset") && trigger.next_run !== null) {
    if (trigger.next_run < formatDbTime(now)) {
      return `The next run of ${name} (${displayTime(trigger.next_run)}) has passed: ` +
        "a scheduler starts it at once. Continue?";
    }
  }
  return undefined;
}

/**
 * A trigger's action buttons. In a row the answer swaps nothing in place: it brings the table as
 * it is now, out of band; in the detail view (`#editor`) it replaces the detail view. Each sends
 * the status it was shown with, so a change made meanwhile by someone else is refused rather than
 * overwritten.
 */
function TriggerActions(props: TriggerContext & { trigger: Trigger; inDetail?: boolean }) {
  const { trigger, now } = props;
  if (!props.canWrite) return null;
  const path = triggerPath(trigger.id);
  // Written out on each button, not spread: an element with a spread is built at run time, and a
  // page of 200 triggers has 600 buttons.
  const target = props.inDetail ? "#editor" : undefined;
  const swap = props.inDetail ? "innerHTML" : "none";
  const subject = { type: trigger.type, status: trigger.process_status };
  return (
    <>
      {offeredActions(subject, props.killing).map((action) => {
        if (action === "resume" && trigger.process_status === "DONE") {
          return (
            <EditorLink class="button secondary" href={`${path}/again`}>
              Run again{GLYPHS.hellip}
            </EditorLink>
          );
        }
        return (
          <button
            type="button"
            class={action === "kill" ? "danger" : "secondary"}
            hx-post={`${path}/actions/${action}`}
            hx-confirm={confirmText(action, { trigger, now })}
            hx-vals={needsConfirm(action, subject) ? '{"confirm": "yes"}' : undefined}
            name="seen_status"
            value={trigger.process_status}
            hx-target={target}
            hx-swap={swap}
          >
            {BUTTON_LABELS[action]}
          </button>
        );
      })}
      {!props.inDetail && (
        <EditorLink class="button secondary" href={`${path}/edit`}>Edit</EditorLink>
      )}
      {canDelete(trigger.process_status) && (
        <button
          type="button"
          class="danger"
          hx-delete={path}
          hx-confirm={`Delete the trigger "${trigger.trigger_name}"? This cannot be undone.`}
          name="seen_status"
          value={trigger.process_status}
          hx-target={target}
          hx-swap={swap}
        >
          Delete
        </button>
      )}
    </>
  );
}

function columns(context: TriggerContext): Column<Trigger & { note?: string }>[] {
  return [
    {
      key: "trigger_name",
      cell: (r) => (
        <EditorLink href={triggerPath(r.id)}>
          <strong>{r.trigger_name}</strong>
        </EditorLink>
      ),
    },
    {
      key: "type",
      cell: (r) => (
        <>
          {typeLabel(r.type)}
          {r.cron_expr !== null && <code class="block">{r.cron_expr}</code>}
          {r.cron_expr !== null && validateCron(r.cron_expr) !== null && (
            <span class="field-error" title={STORED_CRON_WARNING}>
              The scheduler cannot read it
            </span>
          )}
        </>
      ),
    },
    {
      key: "process_status",
      cell: (r) => (
        <>
          <TriggerStatusBadge status={r.process_status} />
          {r.note && <p class="row-note" role="alert">{r.note}</p>}
        </>
      ),
    },
    {
      key: "process_name",
      cell: (r) => <span title={r.process_path}>{r.process_name}</span>,
    },
    { key: "priority", class: "num", cell: (r) => r.priority },
    {
      key: "last_run",
      class: "nowrap",
      cell: (r) => <Moment time={r.last_run} now={context.now} empty="never" />,
    },
    {
      key: "next_run",
      class: "nowrap",
      cell: (r) => <NextRun trigger={r} now={context.now} />,
    },
    {
      key: "scheduler_whitelist",
      cell: (r) => <WhitelistChips stored={r.scheduler_whitelist} />,
    },
    ...actionsColumn<Trigger>(
      context.canWrite,
      (r) => <TriggerActions {...context} trigger={r} />,
      "actions row-actions",
    ),
  ];
}

/**
 * The triggers table fragment; it refreshes itself every 10 s while the tab is visible. After an
 * action it comes out of band (`oob`), with a `note` on the row of a trigger nothing was done to.
 */
export function TriggersTable(
  props: TriggersView & { oob?: boolean; note?: { id: string; text: string } },
) {
  const note = props.note;
  const filtered = props.params.q || props.filters.type || props.filters.status.length;
  return (
    <DataTable<Trigger & { note?: string }>
      list={props.list}
      base="/triggers"
      caption="Triggers"
      params={props.params}
      errors={props.errors}
      page={{
        ...props.page,
        rows: props.page.rows.map((r) => (r.id === note?.id ? { ...r, note: note.text } : r)),
      }}
      filters={{ type: props.filters.type, status: props.filters.status }}
      live
      oob={props.oob}
      empty={filtered ? "No trigger matches these filters." : "No triggers yet."}
      columns={columns(props)}
      rowKey={(r) => r.id}
    />
  );
}

/** The type and status filters, inside the search form; a change reloads the table. */
function Filters(props: { filters: TriggerFilters; killing: boolean }) {
  const change = {
    "hx-get": "/triggers",
    "hx-include": "closest form",
    ...replacesTable("triggers-table"),
    "hx-trigger": "change",
  };
  return (
    <>
      <label class="inline">
        Type{" "}
        <select name="type" {...change}>
          <option value="">All types</option>
          {TRIGGER_TYPES.map((t) => (
            <option value={t} selected={props.filters.type === t}>{TYPE_LABELS[t]}</option>
          ))}
        </select>
      </label>
      <fieldset class="status-filter" {...change}>
        <legend class="sr-only">Status</legend>
        {TRIGGER_STATUSES.filter((s) => props.killing || !s.startsWith("KILL")).map((s) => (
          <label class="chip">
            <input
              type="checkbox"
              name="status"
              value={s}
              checked={props.filters.status.includes(s)}
            />
            {STATUS_LABELS[s]}
          </label>
        ))}
      </fieldset>
    </>
  );
}

/**
 * A trigger's facts, its next runs and its actions (shown in `#editor`); `standalone` on a page of
 * its own, where its name is the page's heading.
 */
export function TriggerDetail(
  props: TriggerContext & { trigger: Trigger; note?: string; standalone?: boolean },
) {
  const { trigger: t, now } = props;
  const path = triggerPath(t.id);
  const Heading = props.standalone ? "h1" : "h2";
  return (
    <section id="trigger-detail" class="card" aria-label={`Trigger ${t.trigger_name}`}>
      <div class="page-head">
        <Heading>
          {t.trigger_name} <TriggerStatusBadge status={t.process_status} />
        </Heading>
        <div class="buttons">
          {props.canWrite && (
            <EditorLink class="button secondary" href={`${path}/edit`}>Edit</EditorLink>
          )}
          <CancelButton label="Close" />
        </div>
      </div>
      {props.note && <p class="row-note" role="alert">{props.note}</p>}
      <dl class="facts">
        <dt>Type</dt>
        <dd>{typeLabel(t.type)}</dd>
        <dt>Process</dt>
        <dd>{t.process_name}</dd>
        <dt>Path</dt>
        <dd class="wrap">
          <code>{t.process_path}</code>
        </dd>
        <dt>Arguments</dt>
        <dd class="wrap">
          {t.process_args ? <code>{t.process_args}</code> : <span class="muted">none</span>}
        </dd>
        <dt>Git repository</dt>
        <dd>
          {t.is_git_repo ? "yes" : "no"}
          {t.git_branch !== null && ` (branch ${t.git_branch})`}
        </dd>
        <dt>Blocking</dt>
        <dd>{t.is_blocking ? "yes: runs alone on its machine" : "no"}</dd>
        <dt>Priority</dt>
        <dd>{t.priority}</dd>
        <dt>Whitelist</dt>
        <dd>
          <WhitelistChips stored={t.scheduler_whitelist} />
        </dd>
        <dt>Last run</dt>
        <dd>
          <Moment time={t.last_run} now={now} empty="never" />
        </dd>
        <dt>Logs</dt>
        <dd>
          <a class="block" href={logsPath(t.process_name)}>Logs of {t.process_name}</a>
          {t.last_run !== null && (
            <a
              class="block"
              href={`${logsPath(t.process_name)}?level=ERROR&from=${
                encodeURIComponent(inputTime(t.last_run))
              }`}
            >
              Errors of {t.process_name} since its last run
            </a>
          )}
        </dd>
        {t.type === "QUEUE"
          ? (
            <>
              <dt>Queue</dt>
              <dd>
                <code>{t.queue_name}</code>, when at least {t.min_batch_size} new elements wait
              </dd>
            </>
          )
          : (
            <>
              <dt>Next run</dt>
              <dd>
                <NextRun trigger={t} now={now} />
                {offSchedule(t) && <small class="muted block">{OFF_SCHEDULE}</small>}
              </dd>
            </>
          )}
        {t.cron_expr !== null && (
          <>
            <dt>Cron</dt>
            <dd>
              <code>{t.cron_expr}</code>
              <CronPreview
                result={previewCron(t.cron_expr, formatDbTime(now))}
                now={now}
                stored
              />
            </dd>
          </>
        )}
      </dl>
      {props.canWrite && (
        <div class="buttons">
          <TriggerActions {...props} inDetail />
        </div>
      )}
    </section>
  );
}

/** The whole Triggers page. */
export function TriggersPage(props: TriggersView) {
  return (
    <>
      <div class="page-head">
        <h1>Triggers</h1>
        <div class="buttons">
          <a class="button secondary" href="/triggers/forecast">Forecast</a>
          {props.canWrite && (
            <EditorLink class="button" href="/triggers/new">New trigger</EditorLink>
          )}
        </div>
      </div>
      <p class="lead">
        When the schedulers start which process. The list refreshes itself every 10 seconds.
      </p>
      <section id="editor" aria-live="polite"></section>
      <SearchBox
        id="triggers-table"
        base="/triggers"
        q={props.params.q}
        label="Search names, processes, paths and queues"
      >
        <Filters filters={props.filters} killing={props.killing} />
      </SearchBox>
      <TriggersTable {...props} />
    </>
  );
}
