/**
 * Queries for `Credentials(name, username, password, changed_at)`. The password column holds a
 * Fernet token; this module never sees a clear password and never writes one to the audit trail.
 * @module
 */
import { field, type PageParams } from "../lib/list.ts";
import { nowDbTime } from "../lib/time.ts";
import { audit, quoted } from "./audit.ts";
import { type Db, time } from "./connection.ts";
import type { ChangeResult } from "./constants.ts";
import { listPage, type Page, type TableList } from "./list.ts";

/** A credential row; `password` is the stored Fernet token. */
export type Credential = { name: string; username: string; password: string; changed_at: string };

/** The credentials list: no column of it holds the password (nor does its export). */
export const CREDENTIALS_LIST: TableList<Credential> = {
  name: "credentials",
  paging: "page",
  columns: [
    field("name", "Name", "name"),
    field("username", "Username", "username"),
    field("changed_at", "Changed", "changed_at"),
  ],
  sort: "name",
  dir: "asc",
  from: "Credentials",
  select: "name, username, password, changed_at",
  search: ["name", "username"],
  tiebreak: "name",
};

/** One page of credentials. */
export function listCredentials(db: Db, params: PageParams): Promise<Page<Credential>> {
  return listPage<Credential>(db, CREDENTIALS_LIST, { params });
}

/** One credential by its exact name, or null. */
export async function getCredential(db: Db, name: string): Promise<Credential | null> {
  const [row] = await db.query<Credential>(
    "SELECT name, username, password, changed_at FROM Credentials WHERE name = ?",
    [name],
  );
  return row ?? null;
}

/** Creates a credential (with an already encrypted token) unless the name is taken. */
export function createCredential(
  db: Db,
  credential: { name: string; username: string; token: string; user: string },
): Promise<ChangeResult> {
  return db.transaction(async (tx) => {
    const [taken] = await tx.query("SELECT 1 AS x FROM Credentials WHERE name = ?", [
      credential.name,
    ]);
    if (taken) return "exists";
    await tx.run(
      "INSERT INTO Credentials (name, username, password, changed_at) VALUES (?, ?, ?, ?)",
      [credential.name, credential.username, credential.token, time(nowDbTime())],
    );
    await audit(tx, {
      info: db.info,
      user: credential.user,
      what: `created credential ${quoted(credential.name)} with username ${
        quoted(credential.username)
      }`,
    });
    return "done";
  });
}

/** Changes a credential's username, and its password when a new token is given. */
export function updateCredential(
  db: Db,
  change: { name: string; username: string; token: string | null; user: string },
): Promise<ChangeResult> {
  const { name, user } = change;
  return db.transaction(async (tx) => {
    const [before] = await tx.query<Credential>(
      "SELECT username, password FROM Credentials WHERE name = ?",
      [name],
    );
    if (!before) return "missing";
    await tx.run(
      "UPDATE Credentials SET username = ?, password = ?, changed_at = ? WHERE name = ?",
      [change.username, change.token ?? before.password, time(nowDbTime()), name],
    );
    const parts = [
      before.username === change.username
        ? `username ${quoted(change.username)} kept`
        : `username ${quoted(before.username)} -> ${quoted(change.username)}`,
      change.token ? "password changed" : "password kept",
    ];
    await audit(tx, {
      info: db.info,
      user,
      what: `changed credential ${quoted(name)}: ${parts.join(", ")}`,
    });
    return "done";
  });
}

/** Deletes a credential. */
export function deleteCredential(
  db: Db,
  change: { name: string; user: string },
): Promise<ChangeResult> {
  const { name, user } = change;
  return db.transaction(async (tx) => {
    const changed = await tx.run("DELETE FROM Credentials WHERE name = ?", [name]);
    if (!changed) return "missing";
    await audit(tx, { info: db.info, user, what: `deleted credential ${quoted(name)}` });
    return "done";
  });
}

/**
 * Records a reveal, or a refused try with its reason (the password and the key are never
 * written).
 */
export async function auditReveal(
  db: Db,
  reveal: { name: string; user: string; refused?: string },
): Promise<void> {
  const { name, user, refused } = reveal;
  const what = refused
    ? `tried to reveal the password of credential ${quoted(name)}: ${refused}`
    : `revealed the password of credential ${quoted(name)}`;
  await db.transaction((tx) => audit(tx, { info: db.info, user, what }));
}
