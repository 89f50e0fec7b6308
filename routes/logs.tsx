/**
 * The Logs area: `GET /logs` (per-process counts from the poller), `GET /logs/:process` and
 * `GET /logs/all` (the rows, with `level` (repeatable), `q`, `from`, `to`, `highlight`, keyset
 * `after`/`before`, `dir`, `size`; each list also as CSV with `format=csv`),
 * `GET /logs/:process/tail?after=<cursor>` (the live tail's new
 * rows), `POST /logs/:process/actions/delete` with `id` repeated, and
 * `POST /logs/:process/actions/delete-older` with `before` (a date) and `confirm` (the process
 * name), which runs in batches: `GET …/delete-older` tells how far it got, `POST …/stop` stops it. Lists answer JSON too: `{"rows": [...], "total": N, "total_capped": bool, "next": cursor}`.
 * @module
 */
import { escapeControls } from "../lib/log.ts";
import { type Context, Hono } from "hono";
import { DatabaseUnavailableError } from "../db/connection.ts";
import { storedId } from "../db/ids.ts";
import {
  deleteLogs,
  deleteLogsBefore,
  exportLogs,
  listLogs,
  LOGS_LIST,
  TAIL_LIMIT,
  tailLogs,
} from "../db/logs.ts";
import { parseCursor } from "../lib/cursor.ts";
import { parseLogFilter } from "../lib/filters.ts";
import { type FieldErrors, MAX_PAGE_SIZE, memoryPage, parseList } from "../lib/list.ts";
import { PROCESSES_LIST } from "../lib/log_summary.ts";
import { type DbTime, formatDbTime, jsonTime, normalizeDbTime } from "../lib/time.ts";
import { isClean, readText } from "../lib/validate.ts";
import { Flash } from "../templates/layout.tsx";
import {
  DeleteOlderForm,
  DeleteOlderProgress,
  LogsTable,
  LogViewPage,
  TailRows,
} from "../templates/log_view.tsx";
import { ProcessesPage, ProcessesTable } from "../templates/logs.tsx";
import { csvAnswer, cursorJson, listAnswer, NO_PAGE, wantsCsv } from "./lists.tsx";
import { requireAdmin } from "./middleware.ts";
import { changed, rejected, wantsJson } from "./render.tsx";

/** The Logs routes. */
export const logs = new Hono();

/** The process of a URL: `all` means every process. */
function processOf(c: Context): string | null {
  const name = c.req.param("process")!;
  return name === "all" ? null : name;
}

logs.get("/", async (c) => {
  const { value: params, errors } = parseList(new URL(c.req.url).searchParams, PROCESSES_LIST);
  const snapshot = c.get("snapshot");
  await c.get("poller").ensure("logs");
  const all = snapshot.logs?.processes ?? [];
  if (wantsCsv(c)) {
    return csvAnswer(c, {
      name: PROCESSES_LIST.name,
      errors,
      columns: PROCESSES_LIST.columns,
      batches: async function* () {
        const every = { ...params, page: 1, size: all.length };
        yield memoryPage(all, { list: PROCESSES_LIST, params: every }).rows;
      },
    });
  }
  const page = isClean(errors)
    ? memoryPage(all, { list: PROCESSES_LIST, params })
    : { rows: [], total: 0 };
  const view = {
    list: PROCESSES_LIST,
    params,
    errors,
    page,
    counted: snapshot.logs !== undefined,
    now: new Date(),
  };
  return listAnswer(c, {
    title: "Logs",
    errors,
    json: () => ({
      rows: page.rows.map((r) => ({
        process_name: r.process,
        trace: r.counts.TRACE ?? 0,
        info: r.counts.INFO ?? 0,
        error: r.counts.ERROR ?? 0,
        total: r.total,
        last_log: jsonTime(r.lastLog),
        last_error: jsonTime(r.lastError),
      })),
      total: page.total,
    }),
    body: <ProcessesPage {...view} />,
    fragment: <ProcessesTable {...view} />,
  });
});

logs.get("/:process", async (c) => {
  const process = processOf(c);
  const query = new URL(c.req.url).searchParams;
  const filter = parseLogFilter(query);
  const list = parseList(query, LOGS_LIST);
  const errors = { ...filter.errors, ...list.errors };
  const db = c.get("db");
  if (wantsCsv(c)) {
    return csvAnswer(c, {
      name: process === null ? "logs" : `logs of ${process}`,
      errors,
      columns: LOGS_LIST.columns,
      batches: () => exportLogs(db, { process, filter: filter.value, dir: list.value.dir }),
    });
  }
  const snapshot = c.get("snapshot");
  await c.get("poller").ensure("logs");
  // After our own deletes the poller's counts wait for a recount: the list counts itself.
  const known = snapshot.logs?.stale ? undefined : snapshot.logs?.processes;
  const page = isClean(errors)
    ? await listLogs(db, process, filter.value, list.value, known)
    : NO_PAGE;
  const view = {
    process,
    filter: filter.value,
    list: LOGS_LIST,
    paging: list.value,
    errors,
    page,
    canWrite: c.get("user").role === "admin",
    now: new Date(),
  };
  return listAnswer(c, {
    title: process ?? "All logs",
    errors,
    json: () => cursorJson(page, ["log_time"]),
    body: <LogViewPage {...view} />,
    fragment: <LogsTable {...view} />,
  });
});

logs.get("/:process/tail", async (c) => {
  const process = processOf(c);
  const query = new URL(c.req.url).searchParams;
  const filter = parseLogFilter(query);
  const after = query.get("after");
  const cursor = after ? parseCursor(after) : null;
  if (after && !cursor) filter.errors.after = "The tail cursor cannot be read: reload the page.";
  if (!isClean(filter.errors)) return rejected(c, 400, filter.errors);
  const rows = await tailLogs(c.get("db"), process, filter.value, cursor);
  const newest = rows[0] ? { time: rows[0].log_time, id: rows[0].id } : cursor;
  return c.html(
    <TailRows
      process={process}
      filter={filter.value}
      canWrite={c.get("user").role === "admin"}
      rows={rows}
      cursor={newest}
      more={rows.length === TAIL_LIMIT}
    />,
  );
});

logs.post("/:process/actions/delete", requireAdmin, async (c) => {
  const process = processOf(c);
  const body = await c.req.parseBody({ all: true });
  const given = [body.id ?? []].flat().filter((v): v is string => typeof v === "string");
  if (given.length === 0) {
    return rejected(c, 400, { id: "Choose at least one log row (tick its box)." });
  }
  if (given.length > MAX_PAGE_SIZE) {
    return rejected(c, 400, { id: `Choose at most ${MAX_PAGE_SIZE} rows at a time.` });
  }
  const ids = given.map((id) => storedId(c.get("db").info, id));
  if (ids.some((id) => id === null)) return rejected(c, 400, { id: "A log id is not a UUID." });
  const deleted = await deleteLogs(
    c.get("db"),
    process,
    [...new Set(ids as string[])],
    c.get("user").name,
  );
  await c.get("poller").invalidate({ part: "logs", process });
  const rest = given.length - deleted;
  return changed(
    c,
    "logs-table",
    `Deleted ${deleted} log row${deleted === 1 ? "" : "s"}.${
      rest > 0 ? ` ${rest} were already gone.` : ""
    }`,
  );
});

logs.post("/:process/actions/delete-older", requireAdmin, async (c) => {
  const process = processOf(c);
  const body = await c.req.parseBody({ all: true });
  const errors: FieldErrors = {};
  const values = {
    before: readText(body, "before", { label: "Date", max: 10 }, errors),
    confirm: readText(body, "confirm", { label: "The process name", max: 100 }, errors),
  };
  if (process === null) {
    errors._form = "Old rows are deleted one process at a time: open the process's logs.";
  }
  const before = /^\d{4}-\d{2}-\d{2}$/.test(values.before)
    ? normalizeDbTime(`${values.before} 00:00`)
    : null;
  const today = formatDbTime(new Date()).slice(0, 10);
  if (!errors.before && !before) errors.before = "Date must be a date like 2026-01-31.";
  else if (before && values.before > today) errors.before = "Date must be today or earlier.";
  if (!errors.confirm && values.confirm !== process) {
    errors.confirm = `Type the process name exactly (${process ?? "a process"}) to confirm.`;
  }
  if (!isClean(errors) || process === null || before === null) {
    return rejected(
      c,
      422,
      errors,
      <DeleteOlderForm process={process ?? ""} values={values} errors={errors} />,
    );
  }
  if (jobs.get(process)?.done === false) {
    errors._form =
      `Old rows of ${process} are being deleted already: wait for that to end or stop it.`;
    return rejected(c, 409, errors, <DeleteOlderForm {...{ process, values, errors }} />);
  }
  const job = startDelete(c, { process, before, user: c.get("user").name });
  // A small delete answers at once; a large one shows its progress and can be stopped.
  await Promise.race([job.finished, new Promise((resolve) => setTimeout(resolve, FIRST_WAIT_MS))]);
  if (wantsJson(c)) await job.finished;
  return deleteProgress(c, process);
});

/** Where a delete-older stands; a finished one is kept until its result was shown. */
type DeleteJob = {
  deleted: number;
  done: boolean;
  message: string;
  stop: AbortController;
  finished: Promise<void>;
};

/** One delete-older at a time per process, in this process (the app runs as one process). */
const jobs = new Map<string, DeleteJob>();

/** How long the request that starts a delete-older waits before it shows the progress. */
const FIRST_WAIT_MS = 1000;

function startDelete(
  c: Context,
  what: { process: string; before: DbTime; user: string },
): DeleteJob {
  const day = what.before.slice(0, 10);
  const job: DeleteJob = {
    deleted: 0,
    done: false,
    message: "",
    stop: new AbortController(),
    finished: Promise.resolve(),
  };
  const poller = c.get("poller");
  const db = c.get("db");
  job.finished = deleteLogsBefore(db, what, {
    signal: job.stop.signal,
    progress: (deleted) => job.deleted = deleted,
  }).then(({ deleted, stopped }) => {
    job.message = `Deleted ${deleted.toLocaleString("en")} log row${
      deleted === 1 ? "" : "s"
    } of ${what.process} older than ${day}${stopped ? " (stopped before the end)" : ""}.`;
  }, (error) => {
    job.message = `The delete stopped after ${job.deleted.toLocaleString("en")} rows: ${
      error instanceof DatabaseUnavailableError ? error.message : "an error (it has been logged)"
    }`;
    if (!(error instanceof DatabaseUnavailableError)) {
      console.error(
        escapeControls(
          `Deleting old log rows of ${what.process} failed: ${(error as Error).message}`,
        ),
      );
    }
  }).finally(async () => {
    await poller.invalidate({ part: "logs", process: what.process }).catch(() => {});
    job.done = true;
  });
  jobs.set(what.process, job);
  return job;
}

/** Answers with where the process's delete-older stands (and forgets a finished one). */
function deleteProgress(c: Context, process: string) {
  const job = jobs.get(process);
  if (job?.done) jobs.delete(process);
  if (wantsJson(c)) {
    return c.json({
      ok: true,
      running: job ? !job.done : false,
      deleted: job?.deleted ?? 0,
      message: job?.message || null,
    });
  }
  if (job && !job.done) {
    return c.html(<DeleteOlderProgress process={process} deleted={job.deleted} />);
  }
  const form = <DeleteOlderForm process={process} values={{ before: "", confirm: "" }} />;
  if (!job) return c.html(form);
  c.header("HX-Trigger", "logs-table-changed");
  return c.html(
    <>
      {form}
      <Flash message={job.message} />
    </>,
  );
}

logs.get("/:process/actions/delete-older", (c) => deleteProgress(c, c.req.param("process")));

logs.post("/:process/actions/delete-older/stop", requireAdmin, async (c) => {
  const process = c.req.param("process");
  const job = jobs.get(process);
  job?.stop.abort();
  await job?.finished;
  return deleteProgress(c, process);
});
