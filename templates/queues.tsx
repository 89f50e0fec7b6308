/**
 * The Queues overview: one row per queue with its counts by status, the age of its oldest new
 * element, its last activity and the triggers that consume it, all from the poller.
 * @module
 */
import type { QueueSummary } from "../db/queues.ts";
import type { ListParams, ListSpec } from "../lib/list.ts";
import { QUEUE_STATUS_LABELS, QUEUE_STATUSES, type QueueStatus } from "../lib/queue_status.ts";
import type { SnapshotListSpec } from "../lib/snapshot_list.ts";
import type { DbTime } from "../lib/time.ts";
import { type Column, DataTable, SearchBox } from "./table.tsx";
import { Consumers, queuePath } from "./queue_detail.tsx";
import { Moment } from "./time.tsx";

const SORT_KEYS: Record<QueueStatus, string> = {
  NEW: "new",
  IN_PROGRESS: "in_progress",
  DONE: "done",
  FAILED: "failed",
  ABANDONED: "abandoned",
};

/** The queue list's allowlist and defaults. */
export const QUEUES_SPEC: ListSpec = {
  sortable: ["name", ...Object.values(SORT_KEYS), "total", "oldest_new", "last_activity"],
  sort: "name",
  dir: "asc",
  size: 50,
};

/** How the queue list is searched and sorted (in memory, from the snapshot). */
export const QUEUES_LIST: SnapshotListSpec<QueueSummary> = {
  search: (r) => [r.name, ...r.triggers.map((t) => t.trigger_name)],
  sorts: {
    name: (r) => r.name,
    ...Object.fromEntries(
      QUEUE_STATUSES.map((s) => [SORT_KEYS[s], (r: QueueSummary) => r.counts[s]]),
    ),
    total: (r) => r.total,
    oldest_new: (r) => r.oldestNew,
    last_activity: (r) => r.lastActivity,
  },
};

/** One state of the queue list. */
export type QueuesView = {
  params: ListParams;
  rows: QueueSummary[];
  total: number;
  /** When the poller read the counts (null: not yet). */
  at: DbTime | null;
  now: Date;
};

/** The queue list fragment (it refreshes itself on the live tick). */
export function QueuesTable(props: QueuesView) {
  const countColumn = (status: QueueStatus): Column<QueueSummary> => ({
    key: SORT_KEYS[status],
    label: QUEUE_STATUS_LABELS[status],
    sortable: true,
    class: "num",
    cell: (r) => {
      const n = r.counts[status];
      if (n === 0) return <span class="muted">0</span>;
      const text = n.toLocaleString("en");
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
      id="queues-table"
      base="/queues"
      caption="Queues"
      params={props.params}
      spec={QUEUES_SPEC}
      rows={props.rows}
      total={props.total}
      live
      empty={props.at === null
        ? "Counting the queues: this list fills in after the first poll."
        : props.params.q
        ? "No queue matches this search."
        : "No queues yet."}
      columns={[
        {
          key: "name",
          label: "Queue",
          sortable: true,
          cell: (r) => (
            <a href={queuePath(r.name)}>
              <strong>{r.name}</strong>
            </a>
          ),
        },
        ...QUEUE_STATUSES.map(countColumn),
        {
          key: "total",
          label: "Total",
          sortable: true,
          class: "num",
          cell: (r) => r.total.toLocaleString("en"),
        },
        {
          key: "oldest_new",
          label: "Oldest new",
          sortable: true,
          class: "nowrap",
          cell: (r) => <Moment time={r.oldestNew} now={props.now} empty="none waiting" />,
        },
        {
          key: "last_activity",
          label: "Last activity",
          sortable: true,
          class: "nowrap",
          cell: (r) => <Moment time={r.lastActivity} now={props.now} />,
        },
        {
          key: "triggers",
          label: "Consumed by",
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
