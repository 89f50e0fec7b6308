/**
 * The Queues area: `GET /queues` (overview from the poller), `GET /queues/:name` (elements with
 * `status` (repeatable), `q`, `from`, `to`, `date`, keyset `after`/`before`, `dir`, `size`;
 * `GET /queues/all` the same over every queue, read only), each list also as CSV (`format=csv`),
 * `GET /queues/:name/performance?days=7|30` (per day: done, failed, processing time, arrivals,
 * the oldest new element), `GET /queues/:name/elements/:id`, `POST /queues/:name/elements` (add),
 * `GET /queues/:name/actions/:action?all=1&…` (the count before acting on everything matching)
 * and `POST /queues/:name/actions/{retry,abandon,delete}` with `id` repeated, or the filter
 * fields plus `all=1` and `expected` (the count confirmed, a limit: more matching is answered
 * with 409 and the new count, and nothing changes); `done=1` and `stuck=1` confirm.
 * Every page answers JSON too: `{"rows": [...], "total": N, "total_capped": bool, "next": cursor}`.
 * @module
 */
import { type Context, Hono } from "hono";
import { storedId } from "../db/ids.ts";
import {
  backlogOf,
  endedOf,
  PERFORMANCE_SPANS,
  type QueuePerformance,
  readQueuePerformance,
} from "../db/queue_performance.ts";
import {
  addElement,
  applyQueueAction,
  countMovable,
  ELEMENTS_LIST,
  exportElements,
  getElement,
  listElements,
  QUEUES_LIST,
  type QueueSummary,
  type StatusCounts as StatusCountsOf,
  sumCounts,
} from "../db/queues.ts";
import { parseQueueFilter } from "../lib/filters.ts";
import { type FieldErrors, MAX_PAGE_SIZE, memoryPage, parseList } from "../lib/list.ts";
import type { Snapshot } from "../lib/poller.ts";
import {
  type ActionConfirmations,
  actionReport,
  isQueueAction,
  isQueueStatus,
} from "../lib/queue_status.ts";
import { jsonTime, parseDbTime } from "../lib/time.ts";
import { isClean, readText } from "../lib/validate.ts";
import {
  AddElementForm,
  ConfirmAll,
  ElementsTable,
  QueueDetailPage,
  StatusCounts,
} from "../templates/queue_detail.tsx";
import { ElementPage, ElementView } from "../templates/queue_element.tsx";
import { PerformancePage, PerformanceSection } from "../templates/queue_performance.tsx";
import { QueuesPage, QueuesTable } from "../templates/queues.tsx";
import { csvAnswer, cursorJson, listAnswer, NO_PAGE, wantsCsv } from "./lists.tsx";
import { requireAdmin } from "./middleware.ts";
import { changed, jsonRows, notFound, pageOrFragment, rejected, wantsJson } from "./render.tsx";

/** The Queues routes. */
export const queues = new Hono();

const ELEMENT_TIMES = ["created_date", "start_date", "end_date"] as const;

async function summaryOf(c: Context, queue: string): Promise<QueueSummary | null> {
  await c.get("poller").ensure("queues");
  return c.get("snapshot").queues?.rows.find((r) => r.name === queue) ?? null;
}

/** The performance read last, per app and queue: the days before today are kept from it. */
const performances = new WeakMap<Snapshot, Map<string, QueuePerformance>>();

/** The most queues whose days before today are kept. */
const MAX_KEPT_PERFORMANCES = 200;

/** The performance cache of the app serving `c`. */
function keptPerformances(c: Context): Map<string, QueuePerformance> {
  const snapshot = c.get("snapshot");
  let kept = performances.get(snapshot);
  if (!kept) performances.set(snapshot, kept = new Map());
  return kept;
}

/** The counts of every queue summed (from the poller), or none before its first round. */
async function allCounts(c: Context): Promise<StatusCountsOf | undefined> {
  const snapshot = c.get("snapshot");
  await c.get("poller").ensure("queues");
  return snapshot.queues && sumCounts(snapshot.queues.rows);
}

/** Reads a queue's counts again after a change to it; the chips to swap in. */
async function freshCounts(c: Context, queue: string) {
  keptPerformances(c).delete(queue);
  await c.get("poller").invalidate({ part: "queues", queue });
  const shown = new URL(c.req.header("HX-Current-URL") ?? c.req.url).searchParams;
  const chosen = shown.getAll("status").filter(isQueueStatus);
  return <StatusCounts queue={queue} summary={await summaryOf(c, queue)} chosen={chosen} oob />;
}

queues.get("/", async (c) => {
  const { value: params, errors } = parseList(new URL(c.req.url).searchParams, QUEUES_LIST);
  const snapshot = c.get("snapshot");
  await c.get("poller").ensure("queues");
  const summaries = snapshot.queues;
  const all = summaries?.rows ?? [];
  if (wantsCsv(c)) {
    return csvAnswer(c, {
      name: QUEUES_LIST.name,
      errors,
      columns: QUEUES_LIST.columns,
      batches: async function* () {
        yield memoryPage(all, {
          list: QUEUES_LIST,
          params: { ...params, page: 1, size: all.length },
        })
          .rows;
      },
    });
  }
  const page = isClean(errors)
    ? memoryPage(all, { list: QUEUES_LIST, params })
    : { rows: [], total: 0 };
  const view = {
    list: QUEUES_LIST,
    params,
    errors,
    page,
    at: summaries?.activityMark ?? null,
    now: new Date(),
  };
  return listAnswer(c, {
    title: "Queues",
    errors,
    json: () => ({
      rows: page.rows.map((r) => ({
        queue_name: r.name,
        new: r.counts.NEW,
        in_progress: r.counts.IN_PROGRESS,
        done: r.counts.DONE,
        failed: r.counts.FAILED,
        abandoned: r.counts.ABANDONED,
        total: r.total,
        oldest_new: jsonTime(r.oldestNew),
        last_activity: jsonTime(r.lastActivity),
        triggers: r.triggers,
      })),
      total: page.total,
    }),
    body: <QueuesPage {...view} />,
    fragment: <QueuesTable {...view} />,
  });
});

/** The queue of a URL: `all` means every queue (a list that only reads). */
function queueOf(c: Context): string | null {
  const name = c.req.param("name")!;
  return name === "all" ? null : name;
}

queues.get("/:name", async (c) => {
  const queue = queueOf(c);
  const query = new URL(c.req.url).searchParams;
  const filter = parseQueueFilter(query);
  const list = parseList(query, ELEMENTS_LIST);
  const errors = { ...filter.errors, ...list.errors };
  const db = c.get("db");
  if (wantsCsv(c)) {
    return csvAnswer(c, {
      name: queue === null ? "elements" : `elements of ${queue}`,
      errors,
      columns: ELEMENTS_LIST.columns,
      batches: () => exportElements(db, { queue, filter: filter.value, dir: list.value.dir }),
    });
  }
  const summary = queue === null ? null : await summaryOf(c, queue);
  const known = queue === null ? await allCounts(c) : summary?.counts;
  const page = isClean(errors)
    ? await listElements(db, queue, filter.value, list.value, known)
    : NO_PAGE;
  const view = {
    queue,
    summary,
    filter: filter.value,
    list: ELEMENTS_LIST,
    paging: list.value,
    errors,
    page,
    canWrite: c.get("user").role === "admin",
    now: new Date(),
  };
  return listAnswer(c, {
    title: queue ?? "Elements of every queue",
    errors,
    json: () => cursorJson(page, [...ELEMENT_TIMES]),
    body: <QueueDetailPage {...view} />,
    fragment: <ElementsTable {...view} />,
  });
});

queues.get("/:name/performance", async (c) => {
  const queue = c.req.param("name");
  const daysText = c.req.query("days") ?? "7";
  const span = PERFORMANCE_SPANS.find((s) => String(s) === daysText);
  if (span === undefined) {
    return rejected(c, 400, {
      days: `Cannot show ${daysText.slice(0, 20)} days: choose ${PERFORMANCE_SPANS.join(" or ")}.`,
    });
  }
  const kept = keptPerformances(c);
  const perf = await readQueuePerformance(c.get("db"), queue, { span, previous: kept.get(queue) });
  kept.delete(queue); // Most recently read last: the oldest go first when there are too many.
  kept.set(queue, perf);
  if (kept.size > MAX_KEPT_PERFORMANCES) kept.delete(kept.keys().next().value!);
  if (wantsJson(c)) return c.json(performanceJson(perf));
  const view = { perf, now: parseDbTime(perf.now) };
  return pageOrFragment(
    c,
    `${queue}: performance`,
    <PerformancePage {...view} />,
    <PerformanceSection {...view} />,
  );
});

/** The JSON of a queue's performance: one row per day, oldest first, and the totals. */
function performanceJson(perf: QueuePerformance) {
  const { arrived, ended } = backlogOf(perf);
  const now = parseDbTime(perf.now).getTime();
  return {
    queue: perf.queue,
    days: perf.span,
    now: jsonTime(perf.now),
    oldest_new: jsonTime(perf.oldestNew),
    oldest_new_age_seconds: perf.oldestNew === null
      ? null
      : Math.max(0, Math.round((now - parseDbTime(perf.oldestNew).getTime()) / 1000)),
    arrived,
    ended,
    backlog_change: arrived - ended,
    rows: perf.days.map((d) => ({
      day: d.day,
      done: d.done,
      failed: d.failed,
      abandoned: d.abandoned,
      ended: endedOf(d),
      arrived: d.arrived,
      median_ms: d.medianMs,
      p95_ms: d.p95Ms,
    })),
  };
}

queues.get("/:name/elements/new", requireAdmin, (c) => {
  const form = <AddElementForm queue={c.req.param("name")} values={{ reference: "", data: "" }} />;
  return pageOrFragment(c, "New element", form, form);
});

queues.post("/:name/elements", requireAdmin, async (c) => {
  const queue = c.req.param("name");
  const body = await c.req.parseBody({ all: true });
  const errors: FieldErrors = {};
  const values = {
    reference: readText(body, "reference", { label: "Reference", min: 0, max: 100 }, errors),
    data: readText(body, "data", { label: "Data", min: 0, max: 2000, trim: false }, errors),
  };
  if (queue.length > 100) errors._form = "Queue names can be at most 100 characters.";
  if (!errors.data && /^\s*[[{]/.test(values.data)) {
    try {
      JSON.parse(values.data);
    } catch (error) {
      errors.data = `Data looks like JSON but cannot be read: ${(error as Error).message}`;
    }
  }
  const form = <AddElementForm queue={queue} values={values} errors={errors} />;
  if (!isClean(errors)) return rejected(c, 422, errors, form);
  await addElement(c.get("db"), queue, {
    reference: values.reference || null,
    data: values.data.trim() ? values.data : null,
  }, c.get("user").name);
  const what = values.reference ? `“${values.reference}”` : "without reference";
  return changed(c, "elements-table", `Element ${what} added to ${queue}.`, {
    status: 201,
    counts: await freshCounts(c, queue),
  });
});

queues.get("/:name/elements/:id", async (c) => {
  const queue = c.req.param("name");
  const id = storedId(c.get("db").info, c.req.param("id"));
  const element = id === null ? null : await getElement(c.get("db"), queue, id);
  if (!element) return notFound(c, `Queue ${queue} has no element with that id.`);
  if (wantsJson(c)) return c.json(jsonRows([element], [...ELEMENT_TIMES])[0]);
  const view = {
    element,
    summary: await summaryOf(c, queue),
    canWrite: c.get("user").role === "admin",
    now: new Date(),
  };
  return pageOrFragment(
    c,
    element.reference ?? "Queue element",
    <ElementPage {...view} />,
    <ElementView {...view} />,
  );
});

function confirmations(read: (name: string) => unknown): ActionConfirmations {
  return { done: read("done") === "1", stuck: read("stuck") === "1" };
}

queues.get("/:name/actions/:action", requireAdmin, async (c) => {
  const action = c.req.param("action");
  if (!isQueueAction(action)) return notFound(c, `There is no queue action ${action}.`);
  const query = new URL(c.req.url).searchParams;
  if (query.get("all") !== "1") {
    return rejected(c, 400, {
      all: "Only the action on everything matching (all=1) has a preview.",
    });
  }
  const filter = parseQueueFilter(query);
  if (!isClean(filter.errors)) return rejected(c, 400, filter.errors);
  const queue = c.req.param("name");
  const confirmed = confirmations((name) => query.get(name));
  const count = await countMovable(c.get("db"), queue, action, filter.value, confirmed);
  if (wantsJson(c)) return c.json({ count });
  const form = (
    <ConfirmAll
      queue={queue}
      action={action}
      filter={filter.value}
      confirmed={confirmed}
      count={count}
    />
  );
  return pageOrFragment(c, "Confirm", form, form);
});

queues.post("/:name/actions/:action", requireAdmin, async (c) => {
  const action = c.req.param("action");
  if (!isQueueAction(action)) return notFound(c, `There is no queue action ${action}.`);
  const queue = c.req.param("name");
  const body = await c.req.parseBody({ all: true });
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(body)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      if (typeof v === "string") form.append(name, v);
    }
  }
  const confirmed = confirmations((name) => form.get(name));
  let target;
  if (form.get("all") === "1") {
    const filter = parseQueueFilter(form);
    const expectedText = form.get("expected") ?? "";
    const errors = { ...filter.errors };
    if (!expectedText) {
      errors.expected = "Cannot act on all matching without the count you confirmed (expected).";
    } else if (!/^\d{1,9}$/.test(expectedText)) {
      errors.expected = "Expected must be a count.";
    }
    if (!isClean(errors)) return rejected(c, 400, errors);
    target = { filter: filter.value, expected: Number(expectedText) };
  } else {
    const given = form.getAll("id");
    const ids = given.map((id) => storedId(c.get("db").info, id));
    if (given.length === 0) {
      return rejected(c, 400, {
        id: "Choose at least one element (tick its box), or act on all matching.",
      });
    }
    if (given.length > MAX_PAGE_SIZE) {
      return rejected(c, 400, {
        id: `Choose at most ${MAX_PAGE_SIZE} elements at a time, or act on all matching.`,
      });
    }
    if (ids.some((id) => id === null)) {
      return rejected(c, 400, { id: "An element id is not a UUID." });
    }
    target = { ids: [...new Set(ids as string[])] };
  }
  const result = await applyQueueAction(
    c.get("db"),
    queue,
    action,
    target,
    confirmed,
    c.get("user").name,
  );
  if (result.exceeded !== undefined && "filter" in target) {
    const count = result.exceeded;
    const message = `Nothing was changed: ${count.toLocaleString("en")} elements match now, ` +
      `more than the ${target.expected.toLocaleString("en")} you confirmed. Check the count again.`;
    if (wantsJson(c)) return c.json({ errors: { expected: message }, count }, 409);
    const again = (
      <ConfirmAll
        queue={queue}
        action={action}
        filter={target.filter}
        confirmed={confirmed}
        count={count}
        notice={message}
      />
    );
    return rejected(c, 409, { expected: message }, again);
  }
  const message = actionReport(action, result.changed, result.skipped);
  if (wantsJson(c)) {
    // Nothing changed (all skipped, or someone else got there first): a conflict, like triggers.
    return result.changed > 0
      ? c.json({ ok: true, ...result, message })
      : c.json({ errors: { _form: message }, ...result }, 409);
  }
  if (result.changed === 0) {
    c.header("HX-Trigger", "elements-table-changed");
    return rejected(c, 409, { _form: message });
  }
  return changed(c, "elements-table", message, { counts: await freshCounts(c, queue) });
});
