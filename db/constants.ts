/**
 * Queries for `Constants(name, value, changed_at)`.
 * @module
 */
import { field, type PageParams } from "../lib/list.ts";
import { nowDbTime } from "../lib/time.ts";
import { audit, quoted } from "./audit.ts";
import { type Db, time } from "./connection.ts";
import { listPage, type Page, type TableList } from "./list.ts";

/** A constant row. */
export type Constant = { name: string; value: string; changed_at: string };

/** The constants list. */
export const CONSTANTS_LIST: TableList<Constant> = {
  name: "constants",
  paging: "page",
  columns: [
    field("name", "Name", "name"),
    field("value", "Value", "value"),
    field("changed_at", "Changed", "changed_at"),
  ],
  sort: "name",
  dir: "asc",
  from: "Constants",
  select: "name, value, changed_at",
  search: ["name", "value"],
  tiebreak: "name",
};

/** The outcome of a change. */
export type ChangeResult = "done" | "exists" | "missing";

/** One page of constants. */
export function listConstants(db: Db, params: PageParams): Promise<Page<Constant>> {
  return listPage<Constant>(db, CONSTANTS_LIST, { params });
}

/** One constant by its exact name, or null. */
export async function getConstant(db: Db, name: string): Promise<Constant | null> {
  const [row] = await db.query<Constant>(
    "SELECT name, value, changed_at FROM Constants WHERE name = ?",
    [name],
  );
  return row ?? null;
}

/** Creates a constant unless the name is taken. */
export function createConstant(
  db: Db,
  constant: { name: string; value: string; user: string },
): Promise<ChangeResult> {
  return db.transaction(async (tx) => {
    const [taken] = await tx.query("SELECT 1 AS x FROM Constants WHERE name = ?", [constant.name]);
    if (taken) return "exists";
    await tx.run("INSERT INTO Constants (name, value, changed_at) VALUES (?, ?, ?)", [
      constant.name,
      constant.value,
      time(nowDbTime()),
    ]);
    await audit(tx, {
      info: db.info,
      user: constant.user,
      what: `created constant ${quoted(constant.name)} = ${quoted(constant.value)}`,
    });
    return "done";
  });
}

/** Changes a constant's value (the name is immutable: robots look constants up by it). */
export function updateConstant(
  db: Db,
  change: { name: string; value: string; user: string },
): Promise<ChangeResult> {
  const { name, value, user } = change;
  return db.transaction(async (tx) => {
    const [before] = await tx.query<Constant>("SELECT value FROM Constants WHERE name = ?", [name]);
    if (!before) return "missing";
    await tx.run("UPDATE Constants SET value = ?, changed_at = ? WHERE name = ?", [
      value,
      time(nowDbTime()),
      name,
    ]);
    await audit(tx, {
      info: db.info,
      user,
      what: `changed constant ${quoted(name)}: ${quoted(before.value)} -> ${quoted(value)}`,
    });
    return "done";
  });
}

/** Deletes a constant. */
export function deleteConstant(
  db: Db,
  change: { name: string; user: string },
): Promise<ChangeResult> {
  const { name, user } = change;
  return db.transaction(async (tx) => {
    const [before] = await tx.query<Constant>("SELECT value FROM Constants WHERE name = ?", [name]);
    if (!before) return "missing";
    await tx.run("DELETE FROM Constants WHERE name = ?", [name]);
    await audit(tx, {
      info: db.info,
      user,
      what: `deleted constant ${quoted(name)} (was ${quoted(before.value)})`,
    });
    return "done";
  });
}
