/**
 * One queue: its counts and consuming triggers, the filtered element list (keyset paging), the
 * bulk actions on chosen elements or on everything matching, and adding an element by hand.
 * @module
 */
import type { Child } from "hono/jsx";
import type { CountedPage } from "../db/list.ts";
import type { QueueElement, QueueSummary } from "../db/queues.ts";
import { type QueueFilter, queueFilterQuery } from "../lib/filters.ts";
import type { FieldErrors, ListDefinition, ListParams } from "../lib/list.ts";
import {
  ACTION_WORDS,
  type ActionConfirmations,
  QUEUE_STATUS_LABELS,
  QUEUE_STATUSES,
  type QueueAction,
  type QueueStatus,
  STUCK_MINUTES,
} from "../lib/queue_status.ts";
import { FieldError, FilterForm } from "./filters.tsx";
import { CancelButton, EditorForm, Field, FormButtons, FormError } from "./forms.tsx";
import { type Column, DataTable } from "./table.tsx";
import { Moment } from "./time.tsx";
import { QueueStatusBadge, TriggerStatusBadge } from "./badges.tsx";
import { elementPath, performancePath, queuePath, triggerPath } from "./paths.ts";
import { formatCount } from "../lib/format.ts";
import { GLYPHS } from "./glyphs.tsx";

/** The triggers that consume a queue, with their status. */
export function Consumers(props: { summary: QueueSummary | null }) {
  const triggers = props.summary?.triggers ?? [];
  if (triggers.length === 0) return <span class="muted">no queue trigger</span>;
  return (
    <span class="chips">
      {triggers.map((t) => (
        <a class="chip" href={triggerPath(t.id)}>
          {t.trigger_name} <TriggerStatusBadge status={t.process_status} />
        </a>
      ))}
    </span>
  );
}

/** Everything one state of the queue page shows. */
export type QueueDetailView = {
  /** The queue, or null for the elements of every queue. */
  queue: string | null;
  /** The poller's summary of the queue (null when it has none yet or the queue is new). */
  summary: QueueSummary | null;
  filter: QueueFilter;
  list: ListDefinition<never>;
  paging: ListParams;
  errors: FieldErrors;
  page: CountedPage<QueueElement>;
  canWrite: boolean;
  now: Date;
};

function clip(text: string | null, max: number): Child {
  if (text === null) return "";
  return text.length > max ? <>{text.slice(0, max)}{GLYPHS.hellip}</> : text;
}

/** The element list fragment (out of band, `oob`, in the answer to a change). */
export function ElementsTable(props: QueueDetailView & { oob?: boolean }) {
  const { queue, page } = props;
  const filtered = props.filter.statuses.length > 0 || props.filter.q || props.filter.from ||
    props.filter.until;
  // Actions are taken on one queue's page; the list of every queue only reads.
  const selectable = props.canWrite && queue !== null;
  return (
    <DataTable<QueueElement>
      list={props.list}
      base={queuePath(queue)}
      caption={queue === null ? "Elements of every queue" : `Elements of ${queue}`}
      page={page}
      filters={queueFilterQuery(props.filter)}
      params={props.paging}
      errors={props.errors}
      oob={props.oob}
      empty={filtered
        ? "No element matches these filters."
        : queue === null
        ? "No queue has elements."
        : "This queue has no elements."}
      columns={[
        ...(selectable
          ? [{
            key: "select",
            label: "Select",
            class: "select",
            cell: (r: QueueElement) => (
              <input
                type="checkbox"
                name="id"
                value={r.id}
                form="elements-actions"
                aria-label={`Select ${r.reference ?? r.id}`}
              />
            ),
          }]
          : []),
        ...(queue === null
          ? [{
            key: "queue_name",
            cell: (r: QueueElement) => <a href={queuePath(r.queue_name)}>{r.queue_name}</a>,
          }]
          : []),
        {
          key: "reference",
          class: "nowrap",
          cell: (r) => (
            <a href={elementPath(r.queue_name, r.id)}>
              {r.reference ?? <span class="muted">{r.id.slice(0, 8)}{GLYPHS.hellip}</span>}
            </a>
          ),
        },
        {
          key: "status",
          class: "nowrap",
          cell: (r) => <QueueStatusBadge status={r.status} />,
        },
        ...(["created_date", "start_date", "end_date"] as const)
          .map((key): Column<QueueElement> => ({
            key,
            class: "nowrap",
            cell: (r) => <Moment time={r[key]} />,
          })),
        {
          key: "message",
          cell: (r) => <span class="wrap clamp">{clip(r.message, 160)}</span>,
        },
        { key: "created_by", cell: (r) => r.created_by ?? "" },
      ]}
    />
  );
}

/**
 * A queue's counts by status, each a link to the elements with it; `oob` swaps it in out of band
 * (the answer to a change carries the counts it affected).
 */
export function StatusCounts(
  props: { queue: string; summary: QueueSummary | null; chosen: QueueStatus[]; oob?: boolean },
) {
  const { summary } = props;
  const oob = props.oob ? "true" : undefined;
  if (!summary) {
    return (
      <p id="queue-counts" class="muted" hx-swap-oob={oob}>Counts appear after the next poll.</p>
    );
  }
  return (
    <p id="queue-counts" class="chips counts" hx-swap-oob={oob}>
      {QUEUE_STATUSES.map((status) => (
        <a
          class="chip"
          href={`${queuePath(props.queue)}?status=${status}`}
          aria-current={props.chosen.length === 1 && props.chosen[0] === status
            ? "true"
            : undefined}
        >
          <QueueStatusBadge status={status} /> {formatCount(summary.counts[status])}
        </a>
      ))}
      <span class="chip">Total {formatCount(summary.total)}</span>
    </p>
  );
}

function BulkActions(props: { queue: string }) {
  const base = `${queuePath(props.queue)}/actions`;
  const button = (action: QueueAction, label: string, extra: Record<string, string> = {}) => (
    <button
      type="button"
      class={action === "delete" ? "danger" : "secondary"}
      hx-post={`${base}/${action}`}
      hx-target="#editor"
      hx-swap="innerHTML"
      {...extra}
    >
      {label}
    </button>
  );
  return (
    <form id="elements-actions" class="bulk" method="post" action={`${base}/retry`}>
      <label class="inline" x-data="selectAll" data-form="elements-actions">
        <input type="checkbox" x-on:change="toggle" /> All on this page
      </label>
      {button("retry", "Retry selected")}
      {button("abandon", "Abandon selected")}
      {button("delete", "Delete selected", {
        "hx-confirm": "Delete the selected elements? This cannot be undone.",
      })}
      <button
        type="button"
        class="secondary"
        hx-get={`${base}/retry?all=1`}
        hx-include="#elements-table-search, #elements-actions"
        hx-target="#editor"
        hx-swap="innerHTML"
      >
        Retry all matching{GLYPHS.hellip}
      </button>
      <label class="inline">
        <input type="checkbox" name="done" value="1" /> also retry done elements
      </label>
      <label class="inline">
        <input type="checkbox" name="stuck" value="1" /> also reset elements in progress for over
        {" "}
        {STUCK_MINUTES} min: I confirm no robot is working on them
      </label>
    </form>
  );
}

/** Where the queue page shows the section: loaded after the page, a link without script. */
function PerformanceLoader(props: { queue: string }) {
  const path = performancePath(props.queue);
  return (
    <section
      id="queue-performance"
      class="card"
      hx-get={path}
      hx-trigger="load"
      hx-target="this"
      hx-swap="outerHTML"
    >
      <h2>How this queue performs</h2>
      <p>
        <a href={path}>Last 7 days</a> {GLYPHS.middot}{" "}
        <a href={performancePath(props.queue, 30)}>Last 30 days</a>
      </p>
    </section>
  );
}

/** The whole queue page. */
export function QueueDetailPage(props: QueueDetailView & { editor?: unknown }) {
  const { queue, filter } = props;
  const base = queuePath(queue);
  const id = "elements-table";
  return (
    <>
      <p class="crumbs">
        <a href="/queues">Queues</a> /
      </p>
      <div class="page-head">
        <h1>{queue ?? "Elements of every queue"}</h1>
        {props.canWrite && queue !== null && (
          <a
            class="button"
            href={`${base}/elements/new`}
            hx-get={`${base}/elements/new`}
            hx-target="#editor"
            hx-swap="innerHTML"
          >
            Add element
          </a>
        )}
      </div>
      {queue === null
        ? <p class="lead">The elements of all queues; open a queue to act on its elements.</p>
        : (
          <>
            <p class="lead">
              Consumed by <Consumers summary={props.summary} />
            </p>
            <StatusCounts queue={queue} summary={props.summary} chosen={filter.statuses} />
          </>
        )}
      <section id="editor" aria-live="polite">{props.editor}</section>
      <FilterForm
        id={id}
        base={base}
        label="Search reference, data, message, creator"
        filter={filter}
        query={queueFilterQuery(filter)}
        choices={{
          name: "status",
          legend: "Statuses",
          values: QUEUE_STATUSES,
          labels: QUEUE_STATUS_LABELS,
          chosen: filter.statuses,
        }}
        errors={props.errors}
        now={props.now}
      >
        <label class="inline">
          Dates apply to
          <select name="date">
            <option value="created" selected={filter.date === "created"}>creation</option>
            <option value="ended" selected={filter.date === "ended"}>end</option>
          </select>
        </label>
        <FieldError id={id} errors={props.errors} name="date" />
      </FilterForm>
      {props.canWrite && queue !== null && <BulkActions queue={queue} />}
      <ElementsTable {...props} />
      {queue !== null && <PerformanceLoader queue={queue} />}
    </>
  );
}

/** The form that adds an element by hand. */
export function AddElementForm(props: {
  queue: string;
  values: { reference: string; data: string };
  errors?: FieldErrors;
}) {
  const action = `${queuePath(props.queue)}/elements`;
  return (
    <EditorForm id="element-form" action={action}>
      <h2>New element in {props.queue}</h2>
      <FormError errors={props.errors} />
      <Field
        form="element"
        name="reference"
        label="Reference"
        value={props.values.reference}
        errors={props.errors}
        maxlength={100}
      />
      <Field
        form="element"
        name="data"
        label="Data"
        type="textarea"
        value={props.values.data}
        errors={props.errors}
        maxlength={2000}
        hint="Up to 2000 characters. Data that starts with { or [ must be valid JSON."
      />
      <FormButtons submit="Add" />
    </EditorForm>
  );
}

/** Asks before acting on every element matching a filter, with the count. */
export function ConfirmAll(props: {
  queue: string;
  action: QueueAction;
  filter: QueueFilter;
  confirmed: ActionConfirmations;
  count: number;
  /** Why the admin is asked again (the count grew since they confirmed). */
  notice?: string;
}) {
  const { action, count } = props;
  const action_url = `${queuePath(props.queue)}/actions/${action}`;
  const hidden = Object.entries(queueFilterQuery(props.filter)).flatMap(([name, value]) =>
    (Array.isArray(value) ? value : [value]).filter(Boolean).map((v) => (
      <input type="hidden" name={name} value={v} />
    ))
  );
  const elements = `${formatCount(count)} element${count === 1 ? "" : "s"}`;
  return (
    <EditorForm class="card warn" action={action_url}>
      {props.notice && <p class="form-error" role="alert">{props.notice}</p>}
      {count === 0
        ? <p>No element matching these filters can be {ACTION_WORDS[action].past}.</p>
        : (
          <p>
            {ACTION_WORDS[action].verb} <strong>{elements}</strong> of {props.queue}{" "}
            matching these filters? Only elements whose status allows it are changed; any that move
            in the meantime are left alone and counted.
          </p>
        )}
      <input type="hidden" name="all" value="1" />
      <input type="hidden" name="expected" value={String(count)} />
      {props.confirmed.done && <input type="hidden" name="done" value="1" />}
      {props.confirmed.stuck && <input type="hidden" name="stuck" value="1" />}
      {hidden}
      <div class="buttons">
        {count > 0 && (
          <button type="submit" class={action === "delete" ? "danger" : undefined}>
            {ACTION_WORDS[action].verb} {elements}
          </button>
        )}
        <CancelButton />
      </div>
    </EditorForm>
  );
}
