/**
 * The Credentials page: list with a password-length hint and a wrong-key flag; create, edit
 * (blank password keeps the old one), delete; reveal with the key, hidden again after 30 s.
 * @module
 */
import type { Child } from "hono/jsx";
import type { Page } from "../db/list.ts";
import type { FieldErrors, ListDefinition, ListParams } from "../lib/list.ts";
import {
  DeleteButton,
  EditorForm,
  EditorLink,
  Field,
  FormButtons,
  FormError,
  NamedItemForm,
} from "./forms.tsx";
import { actionsColumn, changedColumn, DataTable, SearchBox } from "./table.tsx";
import { GLYPHS, Quoted } from "./glyphs.tsx";

/** A credential as the page shows it: never the token, never the password. */
export type CredentialRow = {
  name: string;
  username: string;
  changed_at: string;
  /** The possible password length in bytes, from the token's length. */
  length: { min: number; max: number } | null;
  /** Whether the configured key made the token; null when no key is configured. */
  keyMatches: boolean | null;
};

/** The list state and rows of one credentials page. */
export type CredentialsView = {
  list: ListDefinition<never>;
  params: ListParams;
  /** What is wrong with the list's parameters (nothing when empty). */
  errors: FieldErrors;
  page: Page<CredentialRow>;
  canWrite: boolean;
  /** False when no key is configured (passwords cannot be set). */
  canEncrypt: boolean;
};

/** Says what the token length tells of the stored password's length (a range, not a rule). */
function lengthHint(length: CredentialRow["length"]): Child {
  if (!length) return "not a Fernet token";
  return <>{length.min}{GLYPHS.ndash}{length.max} bytes long</>;
}

/** The credentials table fragment. */
export function CredentialsTable(props: CredentialsView & { oob?: boolean }) {
  return (
    <DataTable<CredentialRow>
      list={props.list}
      base="/credentials"
      caption="Credentials"
      params={props.params}
      errors={props.errors}
      page={props.page}
      oob={props.oob}
      empty={props.params.q ? "No credential matches this search." : "No credentials yet."}
      rowKey={(r) => r.name}
      columns={[
        { key: "name", cell: (r) => <strong>{r.name}</strong> },
        { key: "username", cell: (r) => r.username },
        {
          key: "password",
          label: "Password",
          cell: (r) => (
            <>
              <span
                class="muted"
                title="What the encrypted token's size tells of the stored password's length"
              >
                {lengthHint(r.length)}
              </span>
              {r.keyMatches === false && (
                <span
                  class="badge badge-warn"
                  title="This password cannot be decrypted with the configured OpenOrchestratorKey"
                >
                  another key
                </span>
              )}
            </>
          ),
        },
        changedColumn<CredentialRow>(),
        ...actionsColumn<CredentialRow>(props.canWrite, (r) => {
          const path = `/credentials/${encodeURIComponent(r.name)}`;
          return (
            <>
              <EditorLink class="button secondary" href={`${path}/reveal`}>Reveal</EditorLink>
              <EditorLink class="button secondary" href={`${path}/edit`}>Edit</EditorLink>
              <DeleteButton
                path={path}
                confirm={`Delete the credential "${r.name}"? Robots that use it will fail.`}
              />
            </>
          );
        }),
      ]}
    />
  );
}

/** The create or edit form; `original` is set when editing. Passwords are never pre-filled. */
export function CredentialForm(props: {
  values: { name: string; username: string };
  errors?: FieldErrors;
  original?: string;
  canEncrypt: boolean;
}) {
  const editing = props.original !== undefined;
  return (
    <NamedItemForm
      thing="credential"
      base="/credentials"
      name={props.values.name}
      original={props.original}
      errors={props.errors}
    >
      <Field
        form="credential"
        name="username"
        label="Username"
        value={props.values.username}
        errors={props.errors}
        maxlength={250}
        required
        autocomplete="off"
      />
      <Field
        form="credential"
        name="password"
        label="Password"
        type="password"
        errors={props.errors}
        autocomplete="new-password"
        hint={!props.canEncrypt
          ? "No OpenOrchestratorKey is configured, so a password cannot be set."
          : editing
          ? "Leave blank to keep the current password. It is encrypted with the configured key."
          : "Encrypted with the configured key before it is stored. May be empty."}
      />
    </NamedItemForm>
  );
}

/** Asks for the key that reveals one password. The key is sent once and never kept. */
export function RevealForm(props: { name: string; errors?: FieldErrors }) {
  const action = `/credentials/${encodeURIComponent(props.name)}/reveal`;
  return (
    <EditorForm id="reveal-form" action={action} autocomplete="off">
      <h2>
        Reveal the password of <Quoted>{props.name}</Quoted>
      </h2>
      <FormError errors={props.errors} />
      <Field
        form="reveal"
        name="key"
        label="Encryption key"
        type="password"
        errors={props.errors}
        required
        autocomplete="off"
        hint="The OpenOrchestratorKey. It is used for this one request, then forgotten; the reveal is written to the audit log."
      />
      <FormButtons submit="Reveal" />
    </EditorForm>
  );
}

/** The revealed password, with a copy button; hidden again after 30 seconds. */
export function Revealed(props: { name: string; password: string }) {
  return (
    <section class="card revealed" x-data="revealed" data-seconds="30" aria-live="polite">
      <h2>
        Password of <Quoted>{props.name}</Quoted>
      </h2>
      <div class="secret-row" x-ref="secret">
        <code class="secret">{props.password === "" ? "(empty)" : props.password}</code>
        <button type="button" class="secondary" x-on:click="copy" data-secret={props.password}>
          Copy
        </button>
      </div>
      <p class="muted">
        Hidden again in <span x-text="left">30</span> s.
      </p>
    </section>
  );
}

/** The whole Credentials page. */
export function CredentialsPage(props: CredentialsView & { editor?: unknown }) {
  return (
    <>
      <div class="page-head">
        <h1>Credentials</h1>
        {props.canWrite && (
          <EditorLink class="button" href="/credentials/new">New credential</EditorLink>
        )}
      </div>
      <p class="lead">
        Usernames and passwords that robots log in with. Passwords are stored encrypted and only
        shown to an admin who types the key.
      </p>
      <section id="editor" aria-live="polite">{props.editor}</section>
      <SearchBox
        id="credentials-table"
        base="/credentials"
        q={props.params.q}
        label="Search names and usernames"
      />
      <CredentialsTable {...props} />
    </>
  );
}
