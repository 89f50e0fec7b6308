/**
 * The Constants area: `GET /constants` (page, fragment or JSON), `POST /constants` creates,
 * `POST /constants/:name` updates the value, `DELETE /constants/:name` deletes.
 * @module
 */
import { type Context, Hono } from "hono";
import {
  CONSTANTS_LIST,
  createConstant,
  deleteConstant,
  getConstant,
  listConstants,
  updateConstant,
} from "../db/constants.ts";
import { type FieldErrors, type PageParams, parseList } from "../lib/list.ts";
import { isClean, textReader } from "../lib/validate.ts";
import { ConstantForm, ConstantsPage, ConstantsTable } from "../templates/constants.tsx";
import { constantJson, listJson } from "./json.ts";
import { listAnswer, pagesCsvAnswer, shownList, wantsCsv } from "./lists.tsx";
import { requireAdmin } from "./middleware.ts";
import { changed, notFound, rejected, respond } from "./render.tsx";

/** The Constants routes. */
export const constants = new Hono();

/** The constants list of a query (from the URL, or the one the page shows). */
async function readList(c: Context, query: URLSearchParams) {
  const { value: params, errors } = parseList(query, CONSTANTS_LIST);
  const page = isClean(errors) ? await listConstants(c.get("db"), params) : { rows: [], total: 0 };
  return { list: CONSTANTS_LIST, params, page, errors, canWrite: c.get("user").role === "admin" };
}

/** After a change: the table the page shows, as it is now, out of band. */
function shownTable(c: Context) {
  return shownList(c, {
    base: "/constants",
    read: (query) => readList(c, query),
    table: (view) => <ConstantsTable {...view} oob />,
  });
}

constants.get("/", async (c) => {
  const query = new URL(c.req.url).searchParams;
  if (wantsCsv(c)) {
    const read = (params: PageParams) => listConstants(c.get("db"), params);
    return pagesCsvAnswer(c, { list: CONSTANTS_LIST, query, read });
  }
  const view = await readList(c, query);
  return listAnswer(c, {
    title: "Constants",
    errors: view.errors,
    json: () => listJson(view.page, constantJson),
    body: <ConstantsPage {...view} />,
    fragment: <ConstantsTable {...view} />,
  });
});

constants.get("/new", requireAdmin, (c) => {
  const form = <ConstantForm values={{ name: "", value: "" }} />;
  return respond(c, { title: "New constant", page: form, fragment: form });
});

constants.get("/:name/edit", requireAdmin, async (c) => {
  const found = await getConstant(c.get("db"), c.req.param("name"));
  if (!found) return notFound(c, "No constant has that name.");
  const form = <ConstantForm values={found} original={found.name} />;
  return respond(c, { title: "Edit constant", page: form, fragment: form });
});

function readConstant(body: Record<string, unknown>, errors: FieldErrors) {
  const text = textReader(body, errors);
  return {
    name: text("name", { label: "Name", max: 100 }),
    value: text("value", { label: "Value", max: 1000, trim: false }),
  };
}

constants.post("/", requireAdmin, async (c) => {
  const errors: FieldErrors = {};
  const values = readConstant(await c.req.parseBody({ all: true }), errors);
  const form = () => <ConstantForm values={values} errors={errors} />;
  if (!isClean(errors)) return rejected(c, { status: 422, errors, form: form() });
  const result = await createConstant(c.get("db"), { ...values, user: c.get("user").name });
  if (result === "exists") {
    errors.name = `A constant named “${values.name}” already exists: edit it instead.`;
    return rejected(c, { status: 422, errors, form: form() });
  }
  return changed(c, {
    message: `Constant “${values.name}” created.`,
    status: 201,
    oob: await shownTable(c),
  });
});

constants.post("/:name", requireAdmin, async (c) => {
  const name = c.req.param("name");
  const errors: FieldErrors = {};
  const text = textReader(await c.req.parseBody({ all: true }), errors);
  const value = text("value", { label: "Value", max: 1000, trim: false });
  const form = () => <ConstantForm values={{ name, value }} errors={errors} original={name} />;
  if (!isClean(errors)) return rejected(c, { status: 422, errors, form: form() });
  const result = await updateConstant(c.get("db"), { name, value, user: c.get("user").name });
  if (result === "missing") return notFound(c, `The constant “${name}” no longer exists.`);
  return changed(c, { message: `Constant “${name}” saved.`, oob: await shownTable(c) });
});

constants.delete("/:name", requireAdmin, async (c) => {
  const name = c.req.param("name");
  const result = await deleteConstant(c.get("db"), { name, user: c.get("user").name });
  if (result === "missing") return notFound(c, `The constant “${name}” no longer exists.`);
  return changed(c, { message: `Constant “${name}” deleted.`, oob: await shownTable(c) });
});
