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
 * Every page answers JSON too (the README's "JSON shapes"). A change answers with what the page
 * shows of the queue as it is now: the elements and the counts, or the element.
 * @module
 */
import { type Context, Hono } from "hono";
import { storedId } from "../db/ids.ts";
import { PERFORMANCE_SPANS, readQueuePerformance } from "../db/queue_performance.ts";
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
import {
  type FieldErrors,
  MAX_PAGE_SIZE,
  memoryPage,
  parseFilteredList,
  parseList,
} from "../lib/list.ts";
import { type ActionConfirmations, actionReport, isQueueAction } from "../lib/queue_status.ts";
import { parseDbTime } from "../lib/time.ts";
import { isClean, textReader } from "../lib/validate.ts";
import {
  AddElementForm,
  ConfirmAll,
  ElementsTable,
  QueueDetailPage,
  type QueueDetailView,
  StatusCounts,
} from "../templates/queue_detail.tsx";
import { ElementPage, ElementView, type ElementViewProps } from "../templates/queue_element.tsx";
import { PerformancePage, PerformanceSection } from "../templates/queue_performance.tsx";
import { QueuesPage, QueuesTable } from "../templates/queues.tsx";
import {
  elementJson,
  keysetJson,
  listJson,
  performanceJson,
  queueActionJson,
  queueJson,
} from "./json.ts";
import { csvAnswer, filteredCsvAnswer, listAnswer, NO_PAGE, wantsCsv } from "./lists.tsx";
import { requireAdmin } from "./middleware.ts";
import { changed, notFound, rejected, respond, shownView } from "./render.tsx";
import { elementPath, queuePath } from "../templates/paths.ts";
import { formatCount } from "../lib/format.ts";

/** The Queues routes. */
export const queues = new Hono();

async function summaryOf(c: Context, queue: string): Promise<QueueSummary | null> {
  await c.get("poller").ensure("queues");
  return c.get("snapshot").queues?.rows.find((r) => r.name === queue) ?? null;
}

/** The counts of every queue summed (from the poller), or none before its first round. */
async function allCounts(c: Context): Promise<StatusCountsOf | undefined> {
  const snapshot = c.get("snapshot");
  await c.get("poller").ensure("queues");
  return snapshot.queues && sumCounts(snapshot.queues.rows);
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
    at: summaries?.readAt ?? null,
    now: c.get("now"),
  };
  return listAnswer(c, {
    title: "Queues",
    errors,
    json: () => listJson(page, queueJson),
    body: <QueuesPage {...view} />,
    fragment: <QueuesTable {...view} />,
    kept: true,
  });
});

/** The queue of a URL: `all` means every queue (a list that only reads). */
function queueOf(c: Context): string | null {
  const name = c.req.param("name")!;
  return name === "all" ? null : name;
}

/** A queue's elements (null: every queue's) for a query (from the URL, or the one the page shows). */
async function readElements(
  c: Context,
  shown: { queue: string | null; query: URLSearchParams },
): Promise<QueueDetailView> {
  const { queue, query } = shown;
  const { filter, paging, errors } = parseFilteredList(query, {
    list: ELEMENTS_LIST,
    filter: parseQueueFilter,
  });
  const db = c.get("db");
  const summary = queue === null ? null : await summaryOf(c, queue);
  const known = queue === null ? await allCounts(c) : summary?.counts;
  const page = isClean(errors)
    ? await listElements(db, {
      queue,
      filter,
      paging,
      known,
      signal: c.req.raw.signal,
    })
    : NO_PAGE;
  return {
    queue,
    summary,
    filter,
    list: ELEMENTS_LIST,
    paging,
    errors,
    page,
    canWrite: c.get("user").role === "admin",
    now: c.get("now"),
  };
}

/** One element and what its page shows around it; null when the queue has no such element. */
async function readElement(
  c: Context,
  key: { queue: string; id: string },
): Promise<ElementViewProps | null> {
  const id = storedId(c.get("db").info, key.id);
  const element = id === null ? null : await getElement(c.get("db"), { queue: key.queue, id });
  if (!element) return null;
  return {
    element,
    summary: await summaryOf(c, key.queue),
    canWrite: c.get("user").role === "admin",
    now: c.get("now"),
  };
}

/**
 * After a change to a queue: its counts read again, and what the page shows of the queue as it
 * is now, out of band: the elements with the counts, or the changed element's own view.
 */
async function shownQueue(c: Context, change: { queue: string; element?: string }) {
  const { queue, element } = change;
  await c.get("poller").invalidate({ part: "queues", queue });
  const list = shownView(c, queuePath(queue));
  if (list) {
    const view = await readElements(c, { queue, query: list });
    return (
      <>
        <ElementsTable {...view} oob />
        <StatusCounts queue={queue} summary={view.summary} chosen={view.filter.statuses} oob />
      </>
    );
  }
  if (element === undefined || !shownView(c, elementPath(queue, element))) return null;
  const view = await readElement(c, { queue, id: element });
  return view && <ElementView {...view} oob />;
}

queues.get("/:name", async (c) => {
  const queue = queueOf(c);
  const query = new URL(c.req.url).searchParams;
  if (wantsCsv(c)) {
    return filteredCsvAnswer(c, {
      list: ELEMENTS_LIST,
      name: queue === null ? "elements" : `elements of ${queue}`,
      query,
      filter: parseQueueFilter,
      batches: (read) => exportElements(c.get("db"), { queue, ...read }),
    });
  }
  const view = await readElements(c, { queue, query });
  return listAnswer(c, {
    title: queue ?? "Elements of every queue",
    errors: view.errors,
    json: () => keysetJson(view.page, elementJson),
    body: <QueueDetailPage {...view} />,
    fragment: <ElementsTable {...view} />,
  });
});

queues.get("/:name/performance", async (c) => {
  const queue = c.req.param("name");
  const daysText = c.req.query("days") ?? "7";
  const span = PERFORMANCE_SPANS.find((s) => String(s) === daysText);
  if (span === undefined) {
    return rejected(c, {
      status: 400,
      errors: {
        days: `Cannot show ${daysText.slice(0, 20)} days: choose ${
          PERFORMANCE_SPANS.join(" or ")
        }.`,
      },
    });
  }
  const now = c.get("now");
  const poller = c.get("poller");
  const perf = await readQueuePerformance(c.get("db"), queue, {
    span,
    now,
    past: await poller.pastDays(queue, now),
    today: await poller.today(queue, now),
  });
  const view = { perf, now: parseDbTime(perf.now) };
  return respond(c, {
    title: `${queue}: performance`,
    page: <PerformancePage {...view} />,
    fragment: <PerformanceSection {...view} />,
    json: performanceJson(perf),
  });
});

queues.get("/:name/elements/new", requireAdmin, (c) => {
  const form = <AddElementForm queue={c.req.param("name")} values={{ reference: "", data: "" }} />;
  return respond(c, { title: "New element", page: form, fragment: form });
});

queues.post("/:name/elements", requireAdmin, async (c) => {
  const queue = c.req.param("name");
  const body = await c.req.parseBody({ all: true });
  const errors: FieldErrors = {};
  const text = textReader(body, errors);
  const values = {
    reference: text("reference", { label: "Reference", min: 0, max: 100 }),
    data: text("data", { label: "Data", min: 0, max: 2000, trim: false }),
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
  if (!isClean(errors)) return rejected(c, { status: 422, errors, form });
  await addElement(c.get("db"), {
    queue,
    reference: values.reference || null,
    data: values.data.trim() ? values.data : null,
    user: c.get("user").name,
  });
  const what = values.reference ? `“${values.reference}”` : "without reference";
  return changed(c, {
    message: `Element ${what} added to ${queue}.`,
    status: 201,
    oob: await shownQueue(c, { queue }),
  });
});

queues.get("/:name/elements/:id", async (c) => {
  const queue = c.req.param("name");
  const view = await readElement(c, { queue, id: c.req.param("id") });
  if (!view) return notFound(c, `Queue ${queue} has no element with that id.`);
  return respond(c, {
    title: view.element.reference ?? "Queue element",
    page: <ElementPage {...view} />,
    fragment: <ElementView {...view} />,
    json: elementJson(view.element),
  });
});

function confirmations(read: (name: string) => unknown): ActionConfirmations {
  return { done: read("done") === "1", stuck: read("stuck") === "1" };
}

queues.get("/:name/actions/:action", requireAdmin, async (c) => {
  const action = c.req.param("action");
  if (!isQueueAction(action)) return notFound(c, `There is no queue action ${action}.`);
  const query = new URL(c.req.url).searchParams;
  if (query.get("all") !== "1") {
    const errors = { all: "Only the action on everything matching (all=1) has a preview." };
    return rejected(c, { status: 400, errors });
  }
  const filter = parseQueueFilter(query);
  if (!isClean(filter.errors)) return rejected(c, { status: 400, errors: filter.errors });
  const queue = c.req.param("name");
  const confirmed = confirmations((name) => query.get(name));
  const count = await countMovable(c.get("db"), {
    queue,
    action,
    filter: filter.value,
    confirmed,
  });
  const form = (
    <ConfirmAll
      queue={queue}
      action={action}
      filter={filter.value}
      confirmed={confirmed}
      count={count}
    />
  );
  return respond(c, { title: "Confirm", page: form, fragment: form, json: { count } });
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
    if (!isClean(errors)) return rejected(c, { status: 400, errors });
    target = { filter: filter.value, expected: Number(expectedText) };
  } else {
    const given = form.getAll("id");
    const ids = given.map((id) => storedId(c.get("db").info, id));
    if (given.length === 0) {
      const errors = { id: "Choose at least one element (tick its box), or act on all matching." };
      return rejected(c, { status: 400, errors });
    }
    if (given.length > MAX_PAGE_SIZE) {
      const errors = {
        id: `Choose at most ${MAX_PAGE_SIZE} elements at a time, or act on all matching.`,
      };
      return rejected(c, { status: 400, errors });
    }
    if (ids.some((id) => id === null)) {
      return rejected(c, { status: 400, errors: { id: "An element id is not a UUID." } });
    }
    target = { ids: [...new Set(ids as string[])] };
  }
  const result = await applyQueueAction(c.get("db"), {
    queue,
    action,
    target,
    confirmed,
    user: c.get("user").name,
  });
  if (result.exceeded !== undefined && "filter" in target) {
    const count = result.exceeded;
    const message = `Nothing was changed: ${formatCount(count)} elements match now, ` +
      `more than the ${formatCount(target.expected)} you confirmed. Check the count again.`;
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
    return rejected(c, {
      status: 409,
      errors: { expected: message },
      form: again,
      extra: { count },
    });
  }
  // Nothing changed (all skipped, or someone else got there first): a conflict, like triggers.
  const message = actionReport(action, result);
  const json = queueActionJson(result, message);
  return changed(c, {
    message,
    status: result.changed > 0 ? 200 : 409,
    json: result.changed > 0 ? json : { errors: { _form: message }, ...json },
    oob: await shownQueue(c, { queue, element: form.getAll("id")[0] }),
  });
});
