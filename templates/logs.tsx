/**
 * The Logs overview: per process, the counts by level, the last log and the last error, from the
 * poller; each links to the process's log view.
 * @module
 */
import type { Page } from "../db/list.ts";
import type { FieldErrors, ListDefinition, ListParams } from "../lib/list.ts";
import type { ProcessLogs } from "../lib/log_summary.ts";
import { type Column, DataTable, SearchBox } from "./table.tsx";
import { Moment } from "./time.tsx";
import { LOG_LEVELS } from "../lib/log_level.ts";
import { logsPath } from "./paths.ts";
import { formatCount } from "../lib/format.ts";
import { GLYPHS } from "./glyphs.tsx";

/** One state of the process list. */
export type ProcessesView = {
  list: ListDefinition<never>;
  params: ListParams;
  /** What is wrong with the list's parameters (nothing when empty). */
  errors: FieldErrors;
  page: Page<ProcessLogs>;
  /** False until the poller has counted. */
  counted: boolean;
  now: Date;
};

/** The process list fragment (it refreshes itself on the live tick). */
export function ProcessesTable(props: ProcessesView) {
  const levelColumn = (level: typeof LOG_LEVELS[number]): Column<ProcessLogs> => ({
    key: level.toLowerCase(),
    class: "num",
    cell: (r) => {
      const n = r.counts[level] ?? 0;
      if (n === 0) return <span class="muted">0</span>;
      return (
        <a
          href={`${logsPath(r.process)}?level=${level}`}
          class={level === "ERROR" ? "alert" : undefined}
        >
          {formatCount(n)}
        </a>
      );
    },
  });
  return (
    <DataTable<ProcessLogs>
      list={props.list}
      base="/logs"
      caption="Processes"
      params={props.params}
      errors={props.errors}
      page={props.page}
      live
      empty={!props.counted
        ? "Counting the logs: this list fills in after the first poll."
        : props.params.q
        ? "No process matches this search."
        : "No logs yet."}
      columns={[
        {
          key: "process",
          cell: (r) => (
            <a href={logsPath(r.process)}>
              <strong>{r.process}</strong>
            </a>
          ),
        },
        ...LOG_LEVELS.map(levelColumn),
        {
          key: "total",
          class: "num",
          cell: (r) => formatCount(r.total),
        },
        {
          key: "last_log",
          class: "nowrap",
          cell: (r) => <Moment time={r.lastLog} now={props.now} />,
        },
        {
          key: "last_error",
          class: "nowrap",
          cell: (r) => <Moment time={r.lastError} now={props.now} empty="none" />,
        },
      ]}
    />
  );
}

/** The whole Logs overview page. */
export function ProcessesPage(props: ProcessesView) {
  return (
    <>
      <div class="page-head">
        <h1>Logs</h1>
        <a class="button secondary" href={logsPath(null)}>All processes{GLYPHS.rsquo} logs</a>
      </div>
      <p class="lead">Log rows by process and level, counted by the poller.</p>
      <SearchBox id="processes-table" base="/logs" q={props.params.q} label="Search processes" />
      <ProcessesTable {...props} />
    </>
  );
}
