/**
 * Form pieces: a labelled field with its message next to it.
 * @module
 */
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
