/**
 * The Queues area: `GET /queues` (overview from the poller), `GET /queues/:name` (elements with
 * `status` (repeatable), `q`, `from`, `to`, `date`, keyset `after`/`before`, `dir`, `size`),
 * `GET /queues/:name/elements/:id`, `POST /queues/:name/elements` (add),
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
import {
  addElement,
  applyQueueAction,
  countMovable,
  getElement,
  listElements,
  type QueueSummary,
} from "../db/queues.ts";
import { parsePaging, parseQueueFilter } from "../lib/filters.ts";
import { type FieldErrors, MAX_PAGE_SIZE, parseListParams } from "../lib/list.ts";
import { ensurePolled, refreshQueue } from "../lib/poller.ts";
import { type ActionConfirmations, actionReport, isQueueAction } from "../lib/queue_status.ts";
import { snapshotPage } from "../lib/snapshot_list.ts";
import { isClean, textReader } from "../lib/validate.ts";
import {
  AddElementForm,
  ConfirmAll,
  elementPath,
  ElementsTable,
  QueueDetailPage,
  type QueueDetailView,
  queuePath,
  StatusCounts,
} from "../templates/queue_detail.tsx";
import { ElementPage, ElementView, type ElementViewProps } from "../templates/queue_element.tsx";
import { QUEUES_LIST, QUEUES_SPEC, QueuesPage, QueuesTable } from "../templates/queues.tsx";
import { elementJson, listJson, queueActionJson, queueJson } from "./json.ts";
import { filteredList, NO_PAGE } from "./lists.tsx";
import { requireAdmin } from "./middleware.ts";
import { changed, notFound, rejected, respond, shownView } from "./render.tsx";

/** The Queues routes. */
export const queues = new Hono();

async function summaryOf(c: Context, queue: string): Promise<QueueSummary | null> {
  const snapshot = c.get("snapshot");
  await ensurePolled(c.get("db"), snapshot, "queues");
  return snapshot.queues?.rows.find((r) => r.name === queue) ?? null;
}

/** A queue's elements for a query (from the URL, or the one the page shows). */
async function readElements(
  c: Context,
  shown: { queue: string; query: URLSearchParams },
): Promise<QueueDetailView> {
  const { queue, query } = shown;
  const filter = parseQueueFilter(query);
  const paging = parsePaging(query);
  const errors = { ...filter.errors, ...paging.errors };
  const summary = await summaryOf(c, queue);
  const page = isClean(errors)
    ? await listElements(c.get("db"), queue, filter.value, paging.value, summary?.counts)
    : NO_PAGE;
  return {
    queue,
    summary,
    filter: filter.value,
    paging: paging.value,
    errors,
    page,
    canWrite: c.get("user").role === "admin",
    now: new Date(),
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
    now: new Date(),
  };
}

/**
 * After a change to a queue: its counts read again, and what the page shows of the queue as it
 * is now, out of band: the elements with the counts, or the changed element's own view.
 */
async function shownQueue(c: Context, change: { queue: string; element?: string }) {
  const { queue, element } = change;
  await refreshQueue(c.get("db"), c.get("snapshot"), queue);
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

queues.get("/", async (c) => {
  const checked = parseListParams(new URL(c.req.url).searchParams, QUEUES_SPEC);
  if (!checked.ok) return rejected(c, { status: 400, errors: checked.errors });
  const snapshot = c.get("snapshot");
  await ensurePolled(c.get("db"), snapshot, "queues");
  const summaries = snapshot.queues;
  const { rows, total } = snapshotPage(summaries?.rows ?? [], checked.value, QUEUES_LIST);
  const view = {
    params: checked.value,
    rows,
    total,
    at: summaries?.activityMark ?? null,
    now: new Date(),
  };
  return respond(c, {
    title: "Queues",
    page: <QueuesPage {...view} />,
    fragment: <QueuesTable {...view} />,
    json: listJson({ rows, total }, queueJson),
  });
});

queues.get("/:name", async (c) => {
  const queue = c.req.param("name");
  const view = await readElements(c, { queue, query: new URL(c.req.url).searchParams });
  return filteredList(c, {
    title: queue,
    errors: view.errors,
    page: view.page,
    json: elementJson,
    body: <QueueDetailPage {...view} />,
    fragment: <ElementsTable {...view} />,
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
    const message = `Nothing was changed: ${count.toLocaleString("en")} elements match now, ` +
      `more than the ${target.expected.toLocaleString("en")} you confirmed. Check the count again.`;
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
