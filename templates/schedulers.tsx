/**
 * The Schedulers page: every scheduler machine, how recently it pinged, what it ran last, and
 * which triggers are whitelisted to it.
 * @module
 */
import type { Scheduler, SchedulerOverview, SchedulerState } from "../db/schedulers.ts";
import type { FieldErrors, ListDefinition, ListParams } from "../lib/list.ts";
import { DataTable, SearchBox } from "./table.tsx";
import { Moment } from "./time.tsx";
import { MachineStateBadge } from "./badges.tsx";

/** The list state and rows of the schedulers page. */
export type SchedulersView = SchedulerOverview & {
  list: ListDefinition<never>;
  params: ListParams;
  /** What is wrong with the list's parameters (nothing when empty). */
  errors: FieldErrors;
  now: Date;
};

const STATE_LABELS: Record<SchedulerState, string> = {
  online: "Online",
  stale: "Stale",
  offline: "Offline",
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
      list={props.list}
      base="/schedulers"
      caption="Scheduler machines"
      params={props.params}
      errors={props.errors}
      page={props}
      live
      empty={props.params.q
        ? "No scheduler matches this search."
        : "No scheduler has pinged this database yet."}
      columns={[
        {
          key: "machine_name",
          cell: (r) => <strong>{r.machine_name}</strong>,
        },
        {
          key: "state",
          cell: (r) => <MachineStateBadge state={r.state} label={STATE_LABELS[r.state]} />,
        },
        {
          key: "last_update",
          class: "nowrap",
          cell: (r) => <Moment time={r.last_update} now={props.now} />,
        },
        {
          key: "latest_trigger",
          cell: (r) => r.latest_trigger ?? <span class="muted">none yet</span>,
        },
        {
          key: "latest_trigger_time",
          class: "nowrap",
          cell: (r) => <Moment time={r.latest_trigger_time} now={props.now} empty="never" />,
        },
        {
          key: "whitelisted",
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
