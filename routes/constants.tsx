/**
 * The Constants area: `GET /constants` (page, fragment or JSON), `POST /constants` creates,
 * `POST /constants/:name` updates the value, `DELETE /constants/:name` deletes.
 * @module
 */
import { Hono } from "hono";
import {
  CONSTANTS_LIST,
  createConstant,
  deleteConstant,
  getConstant,
  listConstants,
  updateConstant,
} from "../db/constants.ts";
import { allPages, type FieldErrors, parseList } from "../lib/list.ts";
import { isClean, readText } from "../lib/validate.ts";
import { ConstantForm, ConstantsPage, ConstantsTable } from "../templates/constants.tsx";
import { csvAnswer, listAnswer, wantsCsv } from "./lists.tsx";
import { requireAdmin } from "./middleware.ts";
import { changed, jsonRows, notFound, pageOrFragment, rejected } from "./render.tsx";

/** The Constants routes. */
export const constants = new Hono();

constants.get("/", async (c) => {
  const { value: params, errors } = parseList(new URL(c.req.url).searchParams, CONSTANTS_LIST);
  const db = c.get("db");
  if (wantsCsv(c)) {
    return csvAnswer(c, {
      name: CONSTANTS_LIST.name,
      errors,
      columns: CONSTANTS_LIST.columns,
      batches: () => allPages((at) => listConstants(db, { ...params, ...at })),
    });
  }
  const page = isClean(errors) ? await listConstants(db, params) : { rows: [], total: 0 };
  const view = {
    list: CONSTANTS_LIST,
    params,
    page,
    errors,
    canWrite: c.get("user").role === "admin",
  };
  return listAnswer(c, {
    title: "Constants",
    errors,
    json: () => ({ rows: jsonRows(page.rows, ["changed_at"]), total: page.total }),
    body: <ConstantsPage {...view} />,
    fragment: <ConstantsTable {...view} />,
  });
});

constants.get("/new", requireAdmin, (c) => {
  const form = <ConstantForm values={{ name: "", value: "" }} />;
  return pageOrFragment(c, "New constant", form, form);
});

constants.get("/:name/edit", requireAdmin, async (c) => {
  const found = await getConstant(c.get("db"), c.req.param("name"));
  if (!found) return notFound(c, "No constant has that name.");
  const form = <ConstantForm values={found} original={found.name} />;
  return pageOrFragment(c, "Edit constant", form, form);
});

function readConstant(body: Record<string, unknown>, errors: FieldErrors) {
  return {
    name: readText(body, "name", { label: "Name", max: 100 }, errors),
    value: readText(body, "value", { label: "Value", max: 1000, trim: false }, errors),
  };
}

constants.post("/", requireAdmin, async (c) => {
  const errors: FieldErrors = {};
  const values = readConstant(await c.req.parseBody({ all: true }), errors);
  const form = () => <ConstantForm values={values} errors={errors} />;
  if (!isClean(errors)) return rejected(c, 422, errors, form());
  const result = await createConstant(c.get("db"), values, c.get("user").name);
  if (result === "exists") {
    errors.name = `A constant named “${values.name}” already exists: edit it instead.`;
    return rejected(c, 422, errors, form());
  }
  return changed(c, "constants-table", `Constant “${values.name}” created.`, { status: 201 });
});

constants.post("/:name", requireAdmin, async (c) => {
  const name = c.req.param("name");
  const errors: FieldErrors = {};
  const body = await c.req.parseBody({ all: true });
  const value = readText(body, "value", { label: "Value", max: 1000, trim: false }, errors);
  const form = () => <ConstantForm values={{ name, value }} errors={errors} original={name} />;
  if (!isClean(errors)) return rejected(c, 422, errors, form());
  const result = await updateConstant(c.get("db"), name, value, c.get("user").name);
  if (result === "missing") return notFound(c, `The constant “${name}” no longer exists.`);
  return changed(c, "constants-table", `Constant “${name}” saved.`);
});

constants.delete("/:name", requireAdmin, async (c) => {
  const name = c.req.param("name");
  const result = await deleteConstant(c.get("db"), name, c.get("user").name);
  if (result === "missing") return notFound(c, `The constant “${name}” no longer exists.`);
  return changed(c, "constants-table", `Constant “${name}” deleted.`);
});
