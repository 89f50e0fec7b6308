/**
 * Form pieces: a labelled field with its message next to it.
 * @module
 */
import type { Child } from "hono/jsx";
import type { FieldErrors } from "../lib/list.ts";

/** A labelled text input (or textarea) with its error message beside it. */
export function Field(props: {
  form: string;
  name: string;
  label: string;
  value?: string;
  errors?: FieldErrors;
  maxlength?: number;
  required?: boolean;
  type?: "text" | "password" | "textarea" | "number" | "datetime-local";
  readonly?: boolean;
  hint?: string;
  autocomplete?: string;
  /** More attributes for the input (e.g. `list`, `min`, htmx attributes). */
  attrs?: Record<string, string | number>;
}) {
  const id = `${props.form}-${props.name}`;
  const error = props.errors?.[props.name];
  const describedBy = [error && `${id}-error`, props.hint && `${id}-hint`].filter(Boolean).join(
    " ",
  ) || undefined;
  const common = {
    id,
    name: props.name,
    maxlength: props.maxlength,
    required: props.required,
    readonly: props.readonly,
    autocomplete: props.autocomplete,
    "aria-invalid": error ? "true" : undefined,
    "aria-describedby": describedBy,
    ...props.attrs,
  };
  return (
    <div class={error ? "field invalid" : "field"}>
      <label for={id}>{props.label}</label>
      {props.type === "textarea"
        ? <textarea rows={3} {...common}>{props.value ?? ""}</textarea>
        : <input type={props.type ?? "text"} value={props.value ?? ""} {...common} />}
      {props.hint && <small id={`${id}-hint`} class="hint">{props.hint}</small>}
      {error && <p id={`${id}-error`} class="field-error">{error}</p>}
    </div>
  );
}

/** A form-wide message (for problems that belong to no single field). */
export function FormError(props: { errors?: FieldErrors }) {
  const message = props.errors?._form;
  return message ? <p class="form-error" role="alert">{message}</p> : null;
}

/**
 * A link that opens its target in the `#editor` panel (a plain link without JavaScript). The
 * panel's URL is pushed, so it can be linked, and Back or Escape closes it.
 */
export function EditorLink(props: { href: string; class?: string; children: Child }) {
  return (
    <a
      class={props.class}
      href={props.href}
      hx-get={props.href}
      hx-target="#editor"
      hx-swap="innerHTML"
      hx-push-url="true"
    >
      {props.children}
    </a>
  );
}

/**
 * Closes the `#editor` panel without sending anything (Escape does too); on a page of its own,
 * goes to its list.
 */
export function CancelButton(props: { label?: string }) {
  return (
    <button type="button" class="secondary" x-data="closeEditor" x-on:click="close">
      {props.label ?? "Cancel"}
    </button>
  );
}

/** A form's submit button and Cancel. */
export function FormButtons(props: { submit: string }) {
  return (
    <div class="buttons">
      <button type="submit">{props.submit}</button>
      <CancelButton />
    </div>
  );
}

/** Deletes `path` after the browser's confirmation; the answer (a flash) lands in `#editor`. */
export function DeleteButton(props: { path: string; confirm: string }) {
  return (
    <button
      type="button"
      class="danger"
      hx-delete={props.path}
      hx-confirm={props.confirm}
      hx-target="#editor"
      hx-swap="innerHTML"
    >
      Delete
    </button>
  );
}

/** A form that posts with htmx and shows the answer in the `#editor` panel. */
export function EditorForm(props: {
  id?: string;
  action: string;
  class?: string;
  autocomplete?: "off";
  /** More attributes (an Alpine component and its data). */
  attrs?: Record<string, string>;
  children?: Child;
}) {
  return (
    <form
      id={props.id}
      class={props.class ?? "card form"}
      method="post"
      action={props.action}
      hx-post={props.action}
      hx-target="#editor"
      hx-swap="innerHTML"
      autocomplete={props.autocomplete}
      {...props.attrs}
    >
      {props.children}
    </form>
  );
}

/**
 * The create or edit form of a row robots look up by name (a constant, a credential): the name
 * (read-only when editing), the row's own fields (`children`), and Create or Save.
 */
export function NamedItemForm(props: {
  /** What the row is: `constant`, `credential`. */
  thing: string;
  /** The area's path, e.g. `/constants`. */
  base: string;
  name: string;
  /** The name being edited (absent: a new row). */
  original?: string;
  errors?: FieldErrors;
  children?: Child;
}) {
  const editing = props.original !== undefined;
  const action = editing ? `${props.base}/${encodeURIComponent(props.original!)}` : props.base;
  return (
    <EditorForm id={`${props.thing}-form`} action={action}>
      <h2>{editing ? `Edit ${props.thing}` : `New ${props.thing}`}</h2>
      <FormError errors={props.errors} />
      <Field
        form={props.thing}
        name="name"
        label="Name"
        value={props.name}
        errors={props.errors}
        maxlength={100}
        required
        readonly={editing}
        hint={editing ? `Robots look ${props.thing}s up by name, so it cannot change.` : undefined}
      />
      {props.children}
      <FormButtons submit={editing ? "Save" : "Create"} />
    </EditorForm>
  );
}
