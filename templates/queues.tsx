/**
 * The Queues overview: one row per queue with its counts by status, the age of its oldest new
 * element, its last activity and the triggers that consume it, all from the poller.
 * @module
 */
import type { Page } from "../db/list.ts";
import type { QueueSummary } from "../db/queues.ts";
import type { FieldErrors, ListDefinition, ListParams } from "../lib/list.ts";
import { QUEUE_STATUSES, type QueueStatus } from "../lib/queue_status.ts";
import type { DbTime } from "../lib/time.ts";
import { type Column, DataTable, SearchBox } from "./table.tsx";
import { Consumers } from "./queue_detail.tsx";
import { Moment } from "./time.tsx";
import { queuePath } from "./paths.ts";
import { formatCount } from "../lib/format.ts";

const SORT_KEYS: Record<QueueStatus, string> = {
  NEW: "new",
  IN_PROGRESS: "in_progress",
  DONE: "done",
  FAILED: "failed",
  ABANDONED: "abandoned",
};

/** One state of the queue list. */
export type QueuesView = {
  list: ListDefinition<never>;
  params: ListParams;
  /** What is wrong with the list's parameters (nothing when empty). */
  errors: FieldErrors;
  page: Page<QueueSummary>;
  /** When the poller read the counts (null: not yet). */
  at: DbTime | null;
  now: Date;
};

/** The queue list fragment (it refreshes itself on the live tick). */
export function QueuesTable(props: QueuesView) {
  const countColumn = (status: QueueStatus): Column<QueueSummary> => ({
    key: SORT_KEYS[status],
    class: "num",
    cell: (r) => {
      const n = r.counts[status];
      if (n === 0) return <span class="muted">0</span>;
      const text = formatCount(n);
      return (
        <a
          href={`${queuePath(r.name)}?status=${status}`}
          class={status === "FAILED" ? "alert" : undefined}
        >
          {text}
        </a>
      );
    },
  });
  return (
    <DataTable<QueueSummary>
      list={props.list}
      base="/queues"
      caption="Queues"
      params={props.params}
      errors={props.errors}
      page={props.page}
      live
      empty={props.at === null
        ? "Counting the queues: this list fills in after the first poll."
        : props.params.q
        ? "No queue matches this search."
        : "No queues yet."}
      columns={[
        {
          key: "name",
          cell: (r) => (
            <a href={queuePath(r.name)}>
              <strong>{r.name}</strong>
            </a>
          ),
        },
        ...QUEUE_STATUSES.map(countColumn),
        {
          key: "total",
          class: "num",
          cell: (r) => formatCount(r.total),
        },
        {
          key: "oldest_new",
          class: "nowrap",
          cell: (r) => <Moment time={r.oldestNew} now={props.now} empty="none waiting" />,
        },
        {
          key: "last_activity",
          class: "nowrap",
          cell: (r) => <Moment time={r.lastActivity} now={props.now} />,
        },
        {
          key: "triggers",
          cell: (r) => <Consumers summary={r} />,
        },
      ]}
    />
  );
}

/** The whole Queues page. */
export function QueuesPage(props: QueuesView) {
  return (
    <>
      <div class="page-head">
        <h1>Queues</h1>
      </div>
      <p class="lead">
        Elements by status in every queue, and the queue triggers that work them.{" "}
        {props.at && <span class="muted">Counted at {props.at.slice(11, 19)}.</span>}
      </p>
      <SearchBox
        id="queues-table"
        base="/queues"
        q={props.params.q}
        label="Search queues and triggers"
      />
      <QueuesTable {...props} />
    </>
  );
}
