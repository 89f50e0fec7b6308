/**
 * The Triggers area: `GET /triggers` (page, fragment or JSON), `GET /triggers/cron` (the cron
 * preview), `POST /triggers` creates, `POST /triggers/:id` updates, `DELETE /triggers/:id`
 * deletes, `POST /triggers/:id/actions/{pause,resume,run,kill,reset}` act (compare-and-set from
 * the status in `seen_status`; `confirm=yes` where the action needs it; `next_run` to run a
 * finished single trigger again).
 * @module
 */
import { type Context, Hono } from "hono";
import type { Child } from "hono/jsx";
import { storedId } from "../db/ids.ts";
import {
  type ActionOutcome,
  actOnTrigger,
  createTrigger,
  deleteTrigger,
  getTrigger,
  listTriggers,
  type Trigger,
  triggerChoices,
  TRIGGERS_LIST,
  updateTrigger,
} from "../db/triggers.ts";
import { previewCron } from "../lib/cron.ts";
import { type FieldErrors, type PageParams, parseList } from "../lib/list.ts";
import { formatDbTime, inputTime, normalizeDbTime, parseDbTime } from "../lib/time.ts";
import {
  checkNextRun,
  checkTrigger,
  newTriggerValues,
  readTriggerFilters,
  readTriggerForm,
  type TriggerFormValues,
} from "../lib/trigger_input.ts";
import { isTriggerAction } from "../lib/trigger_status.ts";
import { isClean } from "../lib/validate.ts";
import {
  CronPreview,
  formValuesOf,
  RunAgainForm,
  TriggerForm,
} from "../templates/trigger_form.tsx";
import {
  type TriggerContext,
  TriggerDetail,
  TriggersPage,
  TriggersTable,
  type TriggersView,
} from "../templates/triggers.tsx";
import { listAnswer, pagesCsvAnswer, shownList, wantsCsv } from "./lists.tsx";
import { changeJson, cronJson, listJson, triggerJson } from "./json.ts";
import { requireAdmin } from "./middleware.ts";
import { changed, notFound, rejected, respond, wantsJson } from "./render.tsx";
import { GLYPHS } from "../templates/glyphs.tsx";

/** The Triggers routes. */
export const triggers = new Hono();

const GONE = "This trigger no longer exists: someone deleted it.";

function contextOf(c: Context): TriggerContext {
  return {
    canWrite: c.get("user").role === "admin",
    killing: c.get("db").info.killing,
    now: c.get("now"),
  };
}

/** The trigger id of the URL in the database's spelling, or null when it is not a UUID. */
function idOf(c: Context): string | null {
  return storedId(c.get("db").info, c.req.param("id") ?? "");
}

/** The triggers list of a query (from the URL, or the one the page shows). */
async function readList(c: Context, query: URLSearchParams): Promise<TriggersView> {
  const { value: params, errors: listErrors } = parseList(query, TRIGGERS_LIST);
  const { value: filters, errors: filterErrors } = readTriggerFilters(query);
  const errors = { ...listErrors, ...filterErrors };
  const page = isClean(errors)
    ? await listTriggers(c.get("db"), { params, filters })
    : { rows: [], total: 0 };
  return { ...contextOf(c), list: TRIGGERS_LIST, params, errors, filters, page };
}

/** After a change: the table the page shows, as it is now, out of band (a note on one row). */
function shownTable(c: Context, note?: { id: string; text: string }) {
  return shownList(c, {
    base: "/triggers",
    read: (query) => readList(c, query),
    table: (view) => <TriggersTable {...view} oob note={note} />,
  });
}

triggers.get("/", async (c) => {
  const query = new URL(c.req.url).searchParams;
  if (wantsCsv(c)) {
    const { value: filters, errors } = readTriggerFilters(query);
    const read = (params: PageParams) => listTriggers(c.get("db"), { params, filters });
    return pagesCsvAnswer(c, { list: TRIGGERS_LIST, query, errors, read });
  }
  const view = await readList(c, query);
  return listAnswer(c, {
    title: "Triggers",
    errors: view.errors,
    json: () => listJson(view.page, triggerJson),
    body: <TriggersPage {...view} />,
    fragment: <TriggersTable {...view} />,
  });
});

triggers.get("/cron", (c) => {
  const expr = c.req.query("expr") ?? c.req.query("cron_expr") ?? "";
  const fromText = c.req.query("from");
  const from = fromText === undefined ? formatDbTime(c.get("now")) : normalizeDbTime(fromText);
  if (from === null) {
    const error = `Cannot read from: expected YYYY-MM-DDTHH:MM, got '${fromText}'`;
    return respond(c, {
      status: 422,
      json: { errors: { from: error } },
      fragment: <p class="field-error">{error}</p>,
    });
  }
  const result = expr.trim() === "" && !wantsJson(c) ? null : previewCron(expr, from);
  return respond(c, {
    status: result?.ok === false ? 422 : 200,
    json: result === null ? undefined : cronJson(result),
    fragment: <CronPreview result={result} now={parseDbTime(from)} />,
  });
});

/** The create or edit form, with the machines and queues it offers. */
async function form(
  c: Context,
  values: TriggerFormValues,
  options: { errors?: FieldErrors; id?: string } = {},
) {
  const db = c.get("db");
  return (
    <TriggerForm
      values={values}
      errors={options.errors}
      id={options.id}
      choices={await triggerChoices(db)}
      gitBranch={db.info.gitBranch}
      now={c.get("now")}
    />
  );
}

triggers.get("/new", requireAdmin, async (c) => {
  const body = await form(c, newTriggerValues());
  return respond(c, { title: "New trigger", page: onItsOwn(body), fragment: body });
});

triggers.post("/", requireAdmin, async (c) => {
  const errors: FieldErrors = {};
  const values = readTriggerForm(await c.req.parseBody({ all: true }), errors);
  const db = c.get("db");
  const input = checkTrigger(values, {
    gitBranch: db.info.gitBranch,
    now: formatDbTime(c.get("now")),
    errors,
  });
  if (!input) return rejected(c, { status: 422, errors, form: await form(c, values, { errors }) });
  const id = await createTrigger(db, { input, user: c.get("user").name });
  const message = `Trigger “${input.trigger_name}” created.`;
  return changed(c, {
    message,
    status: 201,
    json: changeJson(message, { id }),
    oob: await shownTable(c),
  });
});

/** A panel on a page of its own: its forms still answer into `#editor`; Close goes to the list. */
function onItsOwn(panel: Child) {
  return <section id="editor" data-list="/triggers">{panel}</section>;
}

/** Loads the trigger of the URL, or answers 404. */
async function found(c: Context): Promise<Trigger | Response> {
  const id = idOf(c);
  const trigger = id === null ? null : await getTrigger(c.get("db"), id);
  return trigger ?? notFound(c, "No trigger has that id.");
}

triggers.get("/:id", async (c) => {
  const trigger = await found(c);
  if (trigger instanceof Response) return trigger;
  const detail = <TriggerDetail {...contextOf(c)} trigger={trigger} />;
  const page = (
    <>
      <p>
        <a href="/triggers">{GLYPHS.larr} All triggers</a>
      </p>
      {onItsOwn(<TriggerDetail {...contextOf(c)} trigger={trigger} standalone />)}
    </>
  );
  return respond(c, {
    title: trigger.trigger_name,
    page,
    fragment: detail,
    json: triggerJson(trigger),
  });
});

triggers.get("/:id/edit", requireAdmin, async (c) => {
  const trigger = await found(c);
  if (trigger instanceof Response) return trigger;
  const body = await form(c, formValuesOf(trigger), { id: trigger.id });
  return respond(c, { title: "Edit trigger", page: onItsOwn(body), fragment: body });
});

triggers.post("/:id", requireAdmin, async (c) => {
  const before = await found(c);
  if (before instanceof Response) return before;
  const errors: FieldErrors = {};
  const values = readTriggerForm(await c.req.parseBody({ all: true }), errors, {
    is_blocking: before.is_blocking,
    priority: String(before.priority),
  });
  const db = c.get("db");
  const input = checkTrigger(values, {
    type: before.type,
    cron: before.cron_expr,
    gitBranch: db.info.gitBranch,
    now: formatDbTime(c.get("now")),
    errors,
  });
  if (!input) {
    const again = await form(c, { ...values, type: before.type }, { errors, id: before.id });
    return rejected(c, { status: 422, errors, form: again });
  }
  const result = await updateTrigger(db, { id: before.id, input, user: c.get("user").name });
  if (result === "missing") return notFound(c, GONE);
  return changed(c, {
    message: `Trigger “${input.trigger_name}” saved.`,
    oob: await shownTable(c),
  });
});

triggers.get("/:id/again", requireAdmin, async (c) => {
  const trigger = await found(c);
  if (trigger instanceof Response) return trigger;
  const body = <RunAgainForm trigger={trigger} next_run={inputTime(formatDbTime(c.get("now")))} />;
  return respond(c, { title: "Run again", page: onItsOwn(body), fragment: body });
});

/**
 * Answers an action or a delete like any change: the table the page shows, as it is now (with a
 * note on the trigger's row when nothing was done), the detail view when the action came from
 * it (`#editor`), and a flash; 409 when nothing was done. JSON for scripts.
 */
async function answer(c: Context, outcome: ActionOutcome) {
  if (outcome.result === "missing") return notFound(c, GONE);
  const ok = outcome.result === "done";
  const { trigger, message } = outcome;
  const note = ok ? undefined : message;
  const inDetail = c.req.header("HX-Target") === "editor";
  return changed(c, {
    message,
    status: ok ? 200 : 409,
    json: ok
      ? changeJson(message, { trigger: trigger && triggerJson(trigger) })
      : { errors: { _form: message }, trigger: trigger && triggerJson(trigger) },
    swap: inDetail && trigger && <TriggerDetail {...contextOf(c)} trigger={trigger} note={note} />,
    oob: await shownTable(c, note && trigger ? { id: trigger.id, text: note } : undefined),
  });
}

/**
 * Reads optional text fields of `body`; a repeated or non-text one is refused (it would skip the
 * check) with a message in `errors`.
 */
function fieldsOf(body: Record<string, unknown>, errors: FieldErrors) {
  return (name: string): string | undefined => {
    const value = body[name];
    if (value !== undefined && typeof value !== "string") {
      errors[name] = `${name} must be sent once, as text.`;
      return undefined;
    }
    return value === "" ? undefined : value;
  };
}

triggers.post("/:id/actions/:action", requireAdmin, async (c) => {
  const action = c.req.param("action");
  if (!isTriggerAction(action)) return notFound(c, `There is no trigger action ${action}.`);
  const id = idOf(c);
  if (id === null) return notFound(c, "No trigger has that id.");
  const body = await c.req.parseBody({ all: true });
  const errors: FieldErrors = {};
  const field = fieldsOf(body, errors);
  const seen = field("seen_status");
  const confirmed = field("confirm") === "yes";
  const confirmPast = field("confirm_past") !== undefined;
  const nextRunText = field("next_run");
  if (!isClean(errors)) return rejected(c, { status: 400, errors });
  const nextRun = nextRunText === undefined ? undefined : checkNextRun(nextRunText, {
    now: formatDbTime(c.get("now")),
    confirmed: confirmPast,
    errors,
  });
  if (!isClean(errors)) {
    const trigger = await found(c);
    if (trigger instanceof Response) return trigger;
    const again = <RunAgainForm trigger={trigger} next_run={nextRunText!} errors={errors} />;
    return rejected(c, { status: 422, errors, form: again });
  }
  const outcome = await actOnTrigger(c.get("db"), {
    id,
    action,
    user: c.get("user").name,
    seen,
    confirmed,
    nextRun: nextRun ?? undefined,
  });
  return await answer(c, outcome);
});

triggers.delete("/:id", requireAdmin, async (c) => {
  const id = idOf(c);
  if (id === null) return notFound(c, "No trigger has that id.");
  const outcome = await deleteTrigger(c.get("db"), {
    id,
    seen: c.req.query("seen_status") || undefined,
    user: c.get("user").name,
  });
  return await answer(c, outcome);
});
