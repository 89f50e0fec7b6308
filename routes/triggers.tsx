/**
 * The Triggers area: `GET /triggers` (page, fragment or JSON), `GET /triggers/cron` (the cron
 * preview), `POST /triggers` creates, `POST /triggers/:id` updates, `DELETE /triggers/:id`
 * deletes, `POST /triggers/:id/{pause,resume,run,kill,reset}` act (compare-and-set from the
 * status in `seen_status`; `confirm=yes` where the action needs it; `next_run` to run a finished
 * single trigger again).
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
import { allPages, type FieldErrors, parseList } from "../lib/list.ts";
import { inputTime, jsonTime, normalizeDbTime, nowDbTime, parseDbTime } from "../lib/time.ts";
import {
  checkNextRun,
  checkTrigger,
  newTriggerValues,
  readTriggerFilters,
  readTriggerForm,
  type TriggerFormValues,
} from "../lib/trigger_input.ts";
import { TRIGGER_ACTIONS, type TriggerAction } from "../lib/trigger_status.ts";
import { isClean } from "../lib/validate.ts";
import { Flash } from "../templates/layout.tsx";
import {
  CronPreview,
  formValuesOf,
  RunAgainForm,
  TriggerForm,
} from "../templates/trigger_form.tsx";
import {
  type TriggerContext,
  TriggerDetail,
  TriggerRow,
  TriggersPage,
  TriggersTable,
} from "../templates/triggers.tsx";
import { csvAnswer, listAnswer, wantsCsv } from "./lists.tsx";
import { requireAdmin } from "./middleware.ts";
import { changed, jsonRows, notFound, pageOrFragment, rejected, wantsJson } from "./render.tsx";

/** The Triggers routes. */
export const triggers = new Hono();

const TIME_COLUMNS: (keyof Trigger)[] = ["last_run", "next_run"];
const GONE = "This trigger no longer exists: someone deleted it.";

function contextOf(c: Context): TriggerContext {
  return {
    canWrite: c.get("user").role === "admin",
    killing: c.get("db").info.killing,
    now: new Date(),
  };
}

/** The trigger id of the URL in the database's spelling, or null when it is not a UUID. */
function idOf(c: Context): string | null {
  return storedId(c.get("db").info, c.req.param("id") ?? "");
}

triggers.get("/", async (c) => {
  const query = new URL(c.req.url).searchParams;
  const { value: params, errors: listErrors } = parseList(query, TRIGGERS_LIST);
  const { value: filters, errors: filterErrors } = readTriggerFilters(query);
  const errors = { ...listErrors, ...filterErrors };
  const db = c.get("db");
  if (wantsCsv(c)) {
    return csvAnswer(c, {
      name: TRIGGERS_LIST.name,
      errors,
      columns: TRIGGERS_LIST.columns,
      batches: () => allPages((at) => listTriggers(db, { ...params, ...at }, filters)),
    });
  }
  const page = isClean(errors) ? await listTriggers(db, params, filters) : { rows: [], total: 0 };
  const view = { ...contextOf(c), list: TRIGGERS_LIST, params, errors, filters, page };
  return listAnswer(c, {
    title: "Triggers",
    errors,
    json: () => ({ rows: jsonRows(page.rows, TIME_COLUMNS), total: page.total }),
    body: <TriggersPage {...view} />,
    fragment: <TriggersTable {...view} />,
  });
});

triggers.get("/cron", (c) => {
  const expr = c.req.query("expr") ?? c.req.query("cron_expr") ?? "";
  const fromText = c.req.query("from");
  const from = fromText === undefined ? nowDbTime() : normalizeDbTime(fromText);
  if (from === null) {
    const error = `Cannot read from: expected YYYY-MM-DDTHH:MM, got '${fromText}'`;
    return wantsJson(c) ? c.json({ error }, 422) : c.html(<p class="field-error">{error}</p>, 422);
  }
  const result = expr.trim() === "" && !wantsJson(c) ? null : previewCron(expr, from);
  if (wantsJson(c)) {
    return result!.ok
      ? c.json({ next: result!.next.map(jsonTime), description: result!.description })
      : c.json({ error: result!.error }, 422);
  }
  return c.html(
    <CronPreview result={result} now={parseDbTime(from)} />,
    result?.ok === false ? 422 : 200,
  );
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
      now={new Date()}
    />
  );
}

triggers.get("/new", requireAdmin, async (c) => {
  const body = await form(c, newTriggerValues());
  return pageOrFragment(c, "New trigger", onItsOwn(body), body);
});

triggers.post("/", requireAdmin, async (c) => {
  const errors: FieldErrors = {};
  const values = readTriggerForm(await c.req.parseBody({ all: true }), errors);
  const db = c.get("db");
  const input = checkTrigger(values, { gitBranch: db.info.gitBranch, now: nowDbTime() }, errors);
  if (!input) return rejected(c, 422, errors, await form(c, values, { errors }));
  const id = await createTrigger(db, input, c.get("user").name);
  const message = `Trigger “${input.trigger_name}” created.`;
  if (wantsJson(c)) return c.json({ ok: true, id, message }, 201);
  return changed(c, "triggers-table", message, { status: 201 });
});

/** Loads the trigger of the URL, or answers 404. */
/** A panel on a page of its own: its forms still answer into `#editor`; Close goes to the list. */
function onItsOwn(panel: Child) {
  return <section id="editor" data-list="/triggers">{panel}</section>;
}

async function found(c: Context): Promise<Trigger | Response> {
  const id = idOf(c);
  const trigger = id === null ? null : await getTrigger(c.get("db"), id);
  return trigger ?? notFound(c, "No trigger has that id.");
}

triggers.get("/:id", async (c) => {
  const trigger = await found(c);
  if (trigger instanceof Response) return trigger;
  if (wantsJson(c)) return c.json(jsonRows([trigger], TIME_COLUMNS)[0]);
  const detail = <TriggerDetail {...contextOf(c)} trigger={trigger} />;
  const page = (
    <>
      <p>
        <a href="/triggers">← All triggers</a>
      </p>
      {onItsOwn(<TriggerDetail {...contextOf(c)} trigger={trigger} standalone />)}
    </>
  );
  return pageOrFragment(c, trigger.trigger_name, page, detail);
});

triggers.get("/:id/edit", requireAdmin, async (c) => {
  const trigger = await found(c);
  if (trigger instanceof Response) return trigger;
  const body = await form(c, formValuesOf(trigger), { id: trigger.id });
  return pageOrFragment(c, "Edit trigger", onItsOwn(body), body);
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
    now: nowDbTime(),
  }, errors);
  if (!input) {
    return rejected(
      c,
      422,
      errors,
      await form(c, { ...values, type: before.type }, {
        errors,
        id: before.id,
      }),
    );
  }
  const result = await updateTrigger(db, before.id, input, c.get("user").name);
  if (result === "missing") return notFound(c, GONE);
  return changed(c, "triggers-table", `Trigger “${input.trigger_name}” saved.`);
});

triggers.get("/:id/again", requireAdmin, async (c) => {
  const trigger = await found(c);
  if (trigger instanceof Response) return trigger;
  const body = <RunAgainForm trigger={trigger} next_run={inputTime(nowDbTime())} />;
  return pageOrFragment(c, "Run again", onItsOwn(body), body);
});

/**
 * Answers an action or a delete: for htmx the row (or the detail view when it came from
 * `#editor`) as it is now, with a note when nothing was changed, and a flash; nothing in its
 * place once deleted. JSON for scripts.
 */
function answer(c: Context, outcome: ActionOutcome) {
  if (outcome.result === "missing") return notFound(c, GONE);
  const ok = outcome.result === "done";
  const { trigger, message } = outcome;
  if (wantsJson(c)) {
    const shown = trigger && jsonRows([trigger], TIME_COLUMNS)[0];
    return ok
      ? c.json({ ok, message, trigger: shown })
      : c.json({ errors: { _form: message }, trigger: shown }, 409);
  }
  const inDetail = c.req.header("HX-Target") === "editor";
  if (ok && (inDetail || !trigger)) c.header("HX-Trigger", "triggers-table-changed");
  const note = ok ? undefined : message;
  const context = contextOf(c);
  return c.html(
    <>
      {trigger &&
        (inDetail
          ? <TriggerDetail {...context} trigger={trigger} note={note} />
          : <TriggerRow {...context} trigger={trigger} note={note} />)}
      <Flash message={message} kind={ok ? "ok" : "error"} />
    </>,
    ok ? 200 : 409,
  );
}

/** One optional text field; a repeated or non-text one is refused (it would skip the check). */
function field(
  body: Record<string, unknown>,
  name: string,
  errors: FieldErrors,
): string | undefined {
  const value = body[name];
  if (value !== undefined && typeof value !== "string") {
    errors[name] = `${name} must be sent once, as text.`;
    return undefined;
  }
  return value === "" ? undefined : value;
}

for (const action of TRIGGER_ACTIONS) {
  triggers.post(`/:id/${action}`, requireAdmin, async (c) => {
    const id = idOf(c);
    if (id === null) return notFound(c, "No trigger has that id.");
    const body = await c.req.parseBody({ all: true });
    const errors: FieldErrors = {};
    const seen = field(body, "seen_status", errors);
    const confirmed = field(body, "confirm", errors) === "yes";
    const confirmPast = field(body, "confirm_past", errors) !== undefined;
    const nextRunText = field(body, "next_run", errors);
    if (!isClean(errors)) return rejected(c, 400, errors);
    const nextRun = nextRunText === undefined
      ? undefined
      : checkNextRun(nextRunText, { now: nowDbTime(), confirmed: confirmPast }, errors);
    if (!isClean(errors)) {
      const trigger = await found(c);
      if (trigger instanceof Response) return trigger;
      return rejected(
        c,
        422,
        errors,
        <RunAgainForm trigger={trigger} next_run={nextRunText!} errors={errors} />,
      );
    }
    const outcome = await actOnTrigger(c.get("db"), id, action as TriggerAction, {
      seen,
      confirmed,
      nextRun: nextRun ?? undefined,
    }, c.get("user").name);
    return answer(c, outcome);
  });
}

triggers.delete("/:id", requireAdmin, async (c) => {
  const id = idOf(c);
  if (id === null) return notFound(c, "No trigger has that id.");
  const outcome = await deleteTrigger(
    c.get("db"),
    id,
    { seen: c.req.query("seen_status") || undefined },
    c.get("user").name,
  );
  return answer(c, outcome);
});
