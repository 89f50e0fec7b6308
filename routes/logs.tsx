/**
 * The Logs area: `GET /logs` (per-process counts from the poller), `GET /logs/:process` and
 * `GET /logs/all` (the rows, with `level` (repeatable), `q`, `from`, `to`, `highlight`, keyset
 * `after`/`before`, `dir`, `size`; each list also as CSV with `format=csv`),
 * `GET /logs/:process/tail?after=<cursor>` (the live tail's new
 * rows), `POST /logs/:process/actions/delete` with `id` repeated, and
 * `POST /logs/:process/actions/delete-older` with `before` (a date) and `confirm` (the process
 * name), which runs in batches: `GET …/delete-older` tells how far it got, `POST …/stop` stops it.
 * Lists answer JSON too (the README's "JSON shapes"); a change answers with the rows the page
 * shows as they are now.
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
import {
  type FieldErrors,
  MAX_PAGE_SIZE,
  memoryPage,
  parseFilteredList,
  parseList,
} from "../lib/list.ts";
import { PROCESSES_LIST } from "../lib/log_summary.ts";
import { type DbTime, formatDbTime, normalizeDbTime } from "../lib/time.ts";
import { isClean, textReader } from "../lib/validate.ts";
import {
  DeleteOlderForm,
  DeleteOlderProgress,
  LogsTable,
  LogViewPage,
  type LogViewProps,
  TailRows,
} from "../templates/log_view.tsx";
import { ProcessesPage, ProcessesTable } from "../templates/logs.tsx";
import { deleteOlderJson, keysetJson, listJson, logJson, processLogsJson } from "./json.ts";
import { csvAnswer, filteredCsvAnswer, listAnswer, NO_PAGE, wantsCsv } from "./lists.tsx";
import { requireAdmin } from "./middleware.ts";
import { changed, rejected, respond, shownView, wantsJson } from "./render.tsx";
import { logsPath } from "../templates/paths.ts";
import { formatCount } from "../lib/format.ts";

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
    now: c.get("now"),
  };
  return listAnswer(c, {
    title: "Logs",
    errors,
    json: () => listJson(page, processLogsJson),
    body: <ProcessesPage {...view} />,
    fragment: <ProcessesTable {...view} />,
    kept: true,
  });
});

/** The log rows of a process (null: all) for a query (from the URL, or the one the page shows). */
async function readLogs(
  c: Context,
  shown: { process: string | null; query: URLSearchParams },
): Promise<LogViewProps> {
  const { process, query } = shown;
  const { filter, paging, errors } = parseFilteredList(query, {
    list: LOGS_LIST,
    filter: parseLogFilter,
  });
  const db = c.get("db");
  const snapshot = c.get("snapshot");
  await c.get("poller").ensure("logs");
  // After our own deletes the poller's counts wait for a recount: the list counts itself.
  const known = snapshot.logs?.stale ? undefined : snapshot.logs?.processes;
  const page = isClean(errors)
    ? await listLogs(db, {
      process,
      filter,
      paging,
      known,
      signal: c.req.raw.signal,
    })
    : NO_PAGE;
  return {
    process,
    filter,
    list: LOGS_LIST,
    paging,
    errors,
    page,
    canWrite: c.get("user").role === "admin",
    now: c.get("now"),
  };
}

/** After a change: the rows the page shows, as they are now, out of band. */
async function shownTable(c: Context, process: string | null) {
  const query = shownView(c, logsPath(process));
  return query && <LogsTable {...await readLogs(c, { process, query })} oob />;
}

logs.get("/:process", async (c) => {
  const process = processOf(c);
  const query = new URL(c.req.url).searchParams;
  if (wantsCsv(c)) {
    return filteredCsvAnswer(c, {
      list: LOGS_LIST,
      name: process === null ? "logs" : `logs of ${process}`,
      query,
      filter: parseLogFilter,
      batches: (read) => exportLogs(c.get("db"), { process, ...read }),
    });
  }
  const view = await readLogs(c, { process, query });
  return listAnswer(c, {
    title: process ?? "All logs",
    errors: view.errors,
    json: () => keysetJson(view.page, logJson),
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
  if (!isClean(filter.errors)) return rejected(c, { status: 400, errors: filter.errors });
  const rows = await tailLogs(c.get("db"), { process, filter: filter.value, cursor });
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
  const refuse = (id: string) => rejected(c, { status: 400, errors: { id } });
  if (given.length === 0) return refuse("Choose at least one log row (tick its box).");
  if (given.length > MAX_PAGE_SIZE) {
    return refuse(`Choose at most ${MAX_PAGE_SIZE} rows at a time.`);
  }
  const ids = given.map((id) => storedId(c.get("db").info, id));
  if (ids.some((id) => id === null)) return refuse("A log id is not a UUID.");
  const deleted = await deleteLogs(c.get("db"), {
    process,
    ids: [...new Set(ids as string[])],
    user: c.get("user").name,
  });
  await c.get("poller").invalidate({ part: "logs", process });
  const rest = given.length - deleted;
  return changed(c, {
    message: `Deleted ${deleted} log row${deleted === 1 ? "" : "s"}.${
      rest > 0 ? ` ${rest} were already gone.` : ""
    }`,
    oob: await shownTable(c, process),
  });
});

logs.post("/:process/actions/delete-older", requireAdmin, async (c) => {
  const process = processOf(c);
  const body = await c.req.parseBody({ all: true });
  const errors: FieldErrors = {};
  const text = textReader(body, errors);
  const values = {
    before: text("before", { label: "Date", max: 10 }),
    confirm: text("confirm", { label: "The process name", max: 100 }),
  };
  if (process === null) {
    errors._form = "Old rows are deleted one process at a time: open the process's logs.";
  }
  const before = /^\d{4}-\d{2}-\d{2}$/.test(values.before)
    ? normalizeDbTime(`${values.before} 00:00`)
    : null;
  const today = formatDbTime(c.get("now")).slice(0, 10);
  if (!errors.before && !before) errors.before = "Date must be a date like 2026-01-31.";
  else if (before && values.before > today) errors.before = "Date must be today or earlier.";
  if (!errors.confirm && values.confirm !== process) {
    errors.confirm = `Type the process name exactly (${process ?? "a process"}) to confirm.`;
  }
  if (!isClean(errors) || process === null || before === null) {
    const form = <DeleteOlderForm process={process ?? ""} values={values} errors={errors} />;
    return rejected(c, { status: 422, errors, form });
  }
  if (jobs.get(process)?.done === false) {
    errors._form =
      `Old rows of ${process} are being deleted already: wait for that to end or stop it.`;
    return rejected(c, {
      status: 409,
      errors,
      form: <DeleteOlderForm {...{ process, values, errors }} />,
    });
  }
  const job = startDelete(c, { process, before, user: c.get("user").name });
  // A small delete answers at once; a large one shows its progress and can be stopped.
  await settled(c, job);
  return await deleteProgress(c, process);
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

/** How long a request that starts or stops a delete-older waits before it shows the progress. */
const FIRST_WAIT_MS = 1000;

/**
 * Waits for the job to end: over JSON until it has, for a page at most `FIRST_WAIT_MS`. A batch
 * that waits for a robot's lock can take longer; the page then shows where it stands and polls.
 */
async function settled(c: Context, job: DeleteJob): Promise<void> {
  if (wantsJson(c)) return await job.finished;
  let timer: ReturnType<typeof setTimeout> | undefined;
  await Promise.race([
    job.finished,
    new Promise((resolve) => timer = setTimeout(resolve, FIRST_WAIT_MS)),
  ]);
  clearTimeout(timer);
}

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
    job.message = `Deleted ${formatCount(deleted)} log row${
      deleted === 1 ? "" : "s"
    } of ${what.process} older than ${day}${stopped ? " (stopped before the end)" : ""}.`;
  }, (error) => {
    job.message = `The delete stopped after ${formatCount(job.deleted)} rows: ${
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

/**
 * Answers with where the process's delete-older stands: its progress while it runs; once done
 * (and then forgotten) like any change: the form again, a flash, and the rows the page shows.
 */
async function deleteProgress(c: Context, process: string) {
  const job = jobs.get(process);
  if (job?.done) jobs.delete(process);
  const stopping = job?.stop.signal.aborted ?? false;
  const json = deleteOlderJson({
    running: job ? !job.done : false,
    stopping: job ? !job.done && stopping : false,
    deleted: job?.deleted ?? 0,
    message: job?.message || null,
  });
  if (job && !job.done) {
    return respond(c, {
      json,
      fragment: <DeleteOlderProgress process={process} deleted={job.deleted} stopping={stopping} />,
    });
  }
  const form = <DeleteOlderForm process={process} values={{ before: "", confirm: "" }} />;
  if (!job) return respond(c, { json, fragment: form });
  return changed(c, { message: job.message, json, swap: form, oob: await shownTable(c, process) });
}

logs.get(
  "/:process/actions/delete-older",
  async (c) => await deleteProgress(c, c.req.param("process")),
);

logs.post("/:process/actions/delete-older/stop", requireAdmin, async (c) => {
  const process = c.req.param("process");
  const job = jobs.get(process);
  if (job) {
    job.stop.abort();
    await settled(c, job);
  }
  return await deleteProgress(c, process);
});
