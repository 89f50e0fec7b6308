/**
 * The Schedulers page: every scheduler machine, how recently it pinged, what it ran last, and
 * which triggers are whitelisted to it.
 * @module
 */
import type { Scheduler, SchedulerOverview, SchedulerState } from "../db/schedulers.ts";
import type { ListParams, ListSpec } from "../lib/list.ts";
import { DataTable, SearchBox } from "./table.tsx";
import { Moment } from "./time.tsx";

/** The schedulers list's allowlist and defaults. */
export const SCHEDULERS_SPEC: ListSpec = {
  sortable: ["machine_name", "last_update", "latest_trigger", "latest_trigger_time"],
  sort: "machine_name",
  dir: "asc",
};

/** The list state and rows of the schedulers page. */
export type SchedulersView = SchedulerOverview & { params: ListParams; now: Date };

const STATES: Record<SchedulerState, { label: string; tone: string }> = {
  online: { label: "Online", tone: "ok" },
  stale: { label: "Stale", tone: "paused" },
  offline: { label: "Offline", tone: "error" },
};

/** The names of some triggers, the rest as a count that opens the full list. */
function TriggerNames(props: { names: string[]; none: string }) {
  const { names } = props;
  if (names.length === 0) return <span class="muted">{props.none}</span>;
  if (names.length <= 5) {
    return <span class="chips">{names.map((n) => <span class="chip">{n}</span>)}</span>;
  }
  return (
    <details>
      <summary>{names.length} triggers</summary>
      <span class="chips">{names.map((n) => <span class="chip">{n}</span>)}</span>
    </details>
  );
}

/** The schedulers table fragment; it refreshes itself every 10 s while the tab is visible. */
export function SchedulersTable(props: SchedulersView) {
  return (
    <DataTable<Scheduler>
      id="schedulers-table"
      base="/schedulers"
      caption="Scheduler machines"
      params={props.params}
      spec={SCHEDULERS_SPEC}
      rows={props.rows}
      total={props.total}
      live
      empty={props.params.q
        ? "No scheduler matches this search."
        : "No scheduler has pinged this database yet."}
      columns={[
        {
          key: "machine_name",
          label: "Machine",
          sortable: true,
          cell: (r) => <strong>{r.machine_name}</strong>,
        },
        {
          key: "state",
          label: "State",
          cell: (r) => (
            <span class={`badge status tone-${STATES[r.state].tone}`}>{STATES[r.state].label}</span>
          ),
        },
        {
          key: "last_update",
          label: "Last ping",
          sortable: true,
          class: "nowrap",
          cell: (r) => <Moment time={r.last_update} now={props.now} />,
        },
        {
          key: "latest_trigger",
          label: "Latest trigger",
          sortable: true,
          cell: (r) => r.latest_trigger ?? <span class="muted">none yet</span>,
        },
        {
          key: "latest_trigger_time",
          label: "Started",
          sortable: true,
          class: "nowrap",
          cell: (r) => <Moment time={r.latest_trigger_time} now={props.now} empty="never" />,
        },
        {
          key: "whitelisted",
          label: "Whitelisted triggers",
          cell: (r) => <TriggerNames names={r.whitelisted} none="none by name" />,
        },
      ]}
    />
  );
}

/** The whole Schedulers page. */
export function SchedulersPage(props: SchedulersView) {
  return (
    <>
      <div class="page-head">
        <h1>Schedulers</h1>
      </div>
      <p class="lead">
        A machine is online when it pinged in the last minute, stale within 5 minutes, offline after
        that. {props.open === 1 ? "1 trigger has" : `${props.open} triggers have`}{" "}
        no whitelist: any machine may run them.
      </p>
      {props.unknown.length > 0 && (
        <section class="card warn" aria-label="Unknown machines">
          <h2>Whitelisted machines that never pinged</h2>
          <p class="muted">
            These names are in trigger whitelists but no scheduler of that name has pinged this
            database, so only other whitelisted machines can run those triggers.
          </p>
          <dl class="facts">
            {props.unknown.map((u) => (
              <>
                <dt>
                  <code>{u.machine}</code>
                </dt>
                <dd>
                  <TriggerNames names={u.triggers} none="" />
                </dd>
              </>
            ))}
          </dl>
        </section>
      )}
      <SearchBox
        id="schedulers-table"
        base="/schedulers"
        q={props.params.q}
        label="Search machines and latest triggers"
      />
      <SchedulersTable {...props} />
    </>
  );
}
