/**
 * The Credentials area: `GET /credentials` (page, fragment or JSON), `POST /credentials` creates,
 * `POST /credentials/:name` updates, `DELETE /credentials/:name` deletes,
 * `POST /credentials/:name/reveal` with field `key` reveals (rate-limited, audited, no-store).
 * @module
 */
import { type Context, Hono } from "hono";
import {
  auditReveal,
  createCredential,
  type Credential,
  CREDENTIALS_LIST,
  deleteCredential,
  getCredential,
  listCredentials,
  updateCredential,
} from "../db/credentials.ts";
import { personKey } from "../lib/auth.ts";
import { decrypt, encrypt, FernetError, madeWithKey, plaintextLengthRange } from "../lib/fernet.ts";
import { type FieldErrors, type PageParams, parseList } from "../lib/list.ts";
import { isClean, textReader } from "../lib/validate.ts";
import {
  CredentialForm,
  type CredentialRow,
  CredentialsPage,
  CredentialsTable,
  type CredentialsView,
  Revealed,
  RevealForm,
} from "../templates/credentials.tsx";
import { listAnswer, pagesCsvAnswer, shownList, wantsCsv } from "./lists.tsx";
import { requireAdmin } from "./middleware.ts";
import { credentialJson, listJson, revealedJson } from "./json.ts";
import { changed, notFound, rejected, respond } from "./render.tsx";

/** The Credentials routes. */
export const credentials = new Hono();

/** The longest password that still fits the 1000-character token column. */
const MAX_PASSWORD_BYTES = 600;

function rowOf(credential: Credential, key: string | null): CredentialRow {
  return {
    name: credential.name,
    username: credential.username,
    changed_at: credential.changed_at,
    length: plaintextLengthRange(credential.password),
    keyMatches: key === null ? null : madeWithKey(key, credential.password),
  };
}

/** The credentials list of a query (from the URL, or the one the page shows). */
async function readList(c: Context, query: URLSearchParams): Promise<CredentialsView> {
  const { value: params, errors } = parseList(query, CREDENTIALS_LIST);
  const { rows, total } = isClean(errors)
    ? await listCredentials(c.get("db"), params)
    : { rows: [], total: 0 };
  const key = c.get("config").key;
  return {
    list: CREDENTIALS_LIST,
    params,
    errors,
    page: { rows: rows.map((r) => rowOf(r, key)), total },
    canWrite: c.get("user").role === "admin",
    canEncrypt: key !== null,
  };
}

/** After a change: the table the page shows, as it is now, out of band. */
function shownTable(c: Context) {
  return shownList(c, {
    base: "/credentials",
    read: (query) => readList(c, query),
    table: (view) => <CredentialsTable {...view} oob />,
  });
}

credentials.get("/", async (c) => {
  const query = new URL(c.req.url).searchParams;
  if (wantsCsv(c)) {
    // The list's columns hold no password: the export has none either.
    const read = (params: PageParams) => listCredentials(c.get("db"), params);
    return pagesCsvAnswer(c, { list: CREDENTIALS_LIST, query, read });
  }
  const view = await readList(c, query);
  return listAnswer(c, {
    title: "Credentials",
    errors: view.errors,
    json: () => listJson(view.page, credentialJson),
    body: <CredentialsPage {...view} />,
    fragment: <CredentialsTable {...view} />,
  });
});

credentials.get("/new", requireAdmin, (c) => {
  const form = (
    <CredentialForm values={{ name: "", username: "" }} canEncrypt={c.get("config").key !== null} />
  );
  return respond(c, { title: "New credential", page: form, fragment: form });
});

credentials.get("/:name/edit", requireAdmin, async (c) => {
  const found = await getCredential(c.get("db"), c.req.param("name"));
  if (!found) return notFound(c, "No credential has that name.");
  const form = (
    <CredentialForm
      values={found}
      original={found.name}
      canEncrypt={c.get("config").key !== null}
    />
  );
  return respond(c, { title: "Edit credential", page: form, fragment: form });
});

/** Reads the password field and encrypts it; null when blank and `blankKeeps`. */
function readPassword(
  c: Context,
  form: { body: Record<string, unknown>; errors: FieldErrors; blankKeeps: boolean },
) {
  const { body, errors, blankKeeps } = form;
  const raw = body.password ?? "";
  if (typeof raw !== "string") {
    errors.password = "Password must be text.";
    return null;
  }
  if (raw === "" && blankKeeps) return null;
  const key = c.get("config").key;
  if (key === null) {
    errors.password = "No OpenOrchestratorKey is configured, so a password cannot be encrypted.";
    return null;
  }
  const bytes = new TextEncoder().encode(raw).length;
  if (bytes > MAX_PASSWORD_BYTES) {
    errors.password = `Password can be at most ${MAX_PASSWORD_BYTES} bytes (this is ${bytes}).`;
    return null;
  }
  return encrypt(key, raw);
}

credentials.post("/", requireAdmin, async (c) => {
  const body = await c.req.parseBody({ all: true });
  const errors: FieldErrors = {};
  const text = textReader(body, errors);
  const values = {
    name: text("name", { label: "Name", max: 100 }),
    username: text("username", { label: "Username", max: 250 }),
  };
  const token = readPassword(c, { body, errors, blankKeeps: false });
  const form = () => (
    <CredentialForm values={values} errors={errors} canEncrypt={c.get("config").key !== null} />
  );
  if (!isClean(errors) || token === null) return rejected(c, { status: 422, errors, form: form() });
  const result = await createCredential(c.get("db"), {
    ...values,
    token,
    user: c.get("user").name,
  });
  if (result === "exists") {
    errors.name = `A credential named “${values.name}” already exists: edit it instead.`;
    return rejected(c, { status: 422, errors, form: form() });
  }
  return changed(c, {
    message: `Credential “${values.name}” created.`,
    status: 201,
    oob: await shownTable(c),
  });
});

credentials.post("/:name", requireAdmin, async (c) => {
  const name = c.req.param("name");
  const body = await c.req.parseBody({ all: true });
  const errors: FieldErrors = {};
  const text = textReader(body, errors);
  const username = text("username", { label: "Username", max: 250 });
  const token = readPassword(c, { body, errors, blankKeeps: true });
  if (!isClean(errors)) {
    const form = (
      <CredentialForm
        values={{ name, username }}
        errors={errors}
        original={name}
        canEncrypt={c.get("config").key !== null}
      />
    );
    return rejected(c, { status: 422, errors, form });
  }
  const result = await updateCredential(c.get("db"), {
    name,
    username,
    token,
    user: c.get("user").name,
  });
  if (result === "missing") return notFound(c, `The credential “${name}” no longer exists.`);
  return changed(c, { message: `Credential “${name}” saved.`, oob: await shownTable(c) });
});

credentials.delete("/:name", requireAdmin, async (c) => {
  const name = c.req.param("name");
  const result = await deleteCredential(c.get("db"), { name, user: c.get("user").name });
  if (result === "missing") return notFound(c, `The credential “${name}” no longer exists.`);
  return changed(c, { message: `Credential “${name}” deleted.`, oob: await shownTable(c) });
});

credentials.get("/:name/reveal", requireAdmin, async (c) => {
  const found = await getCredential(c.get("db"), c.req.param("name"));
  if (!found) return notFound(c, "No credential has that name.");
  const form = <RevealForm name={found.name} />;
  return respond(c, { title: "Reveal password", page: form, fragment: form });
});

credentials.post("/:name/reveal", requireAdmin, async (c) => {
  c.header("Cache-Control", "no-store");
  const name = c.req.param("name");
  const errors: FieldErrors = {};
  const limiter = c.get("revealLimiter");
  const person = personKey(c.get("user").name);
  const wait = limiter.take(person);
  if (wait > 0) {
    errors._form = `Too many reveals: at most 5 a minute. Try again in ${wait} s.`;
    // One audit row a minute, however fast the refused tries come.
    const refused = limiter.refused(person);
    if (refused > 0) {
      const why = refused === 1
        ? "refused, too many tries"
        : `refused, too many tries (${refused} since the last entry)`;
      await auditReveal(c.get("db"), { name, user: c.get("user").name, refused: why });
    }
    return rejected(c, { status: 429, errors, form: <RevealForm name={name} errors={errors} /> });
  }
  const key = textReader(await c.req.parseBody({ all: true }), errors)("key", {
    label: "Key",
    max: 100,
  });
  const found = await getCredential(c.get("db"), name);
  if (!found) return notFound(c, `The credential “${name}” no longer exists.`);
  if (!isClean(errors)) {
    return rejected(c, { status: 422, errors, form: <RevealForm name={name} errors={errors} /> });
  }
  let password: string;
  try {
    password = decrypt(key, found.password);
  } catch (error) {
    if (!(error instanceof FernetError)) throw error;
    errors.key = error.reason === "bad-key"
      ? "This is not a Fernet key: 44 characters of url-safe base64 ending in “=”."
      : error.reason === "wrong-key"
      ? "This key did not encrypt this password (it was made with another key)."
      : "The stored password is not a valid Fernet token, so it cannot be revealed.";
    const refused = `refused, ${error.reason}`;
    await auditReveal(c.get("db"), { name, user: c.get("user").name, refused });
    return rejected(c, { status: 422, errors, form: <RevealForm name={name} errors={errors} /> });
  }
  await auditReveal(c.get("db"), { name, user: c.get("user").name });
  return respond(c, {
    json: revealedJson({ name, password }),
    fragment: <Revealed name={name} password={password} />,
  });
});
