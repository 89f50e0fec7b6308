/**
 * Checks form input field by field, so each message can sit next to its field.
 * @module
 */
import type { FieldErrors } from "./list.ts";

/** A form body as Hono parses it. */
export type FormBody = Record<string, unknown>;

/**
 * A text rule: the label for messages, and the length bounds (in characters). A field that is
 * trimmed (the default) is a name or a one-line setting; `trim: false` marks a value, kept
 * exactly as typed.
 */
export type TextRule = { label: string; min?: number; max: number; trim?: boolean };

// C0 controls (NUL, tab, CR, LF…), DEL and C1 controls.
// deno-lint-ignore no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * A reader of the text fields of `body` that records what is wrong with each in `errors`. Names
 * (trimmed fields) may not hold control characters: a name with a NUL or a line break looks like
 * another name. The reader returns the value (trimmed when the rule says so), or "" when it is
 * not text.
 */
export function textReader(
  body: FormBody,
  errors: FieldErrors,
): (name: string, rule: TextRule) => string {
  return (name, rule) => readText(body, { name, rule, errors });
}

function readText(
  body: FormBody,
  field: { name: string; rule: TextRule; errors: FieldErrors },
): string {
  const { name, rule, errors } = field;
  const raw = body[name];
  if (raw !== undefined && typeof raw !== "string") {
    errors[name] = `${rule.label} must be text.`;
    return "";
  }
  const value = rule.trim === false ? raw ?? "" : (raw ?? "").trim();
  const min = rule.min ?? 1;
  if (value.includes("\uFFFD")) {
    errors[name] = `${rule.label} holds bytes that are not valid UTF-8 text.`;
  } else if (value.trim().length < min) {
    errors[name] = min === 1
      ? `${rule.label} is required.`
      : `${rule.label} needs at least ${min} characters.`;
  } else if (value.length > rule.max) {
    errors[name] = `${rule.label} can be at most ${rule.max} characters (this is ${value.length}).`;
  } else if (rule.trim !== false && CONTROLS.test(value)) {
    errors[name] = `${rule.label} cannot hold control characters (line breaks, tabs, NUL).`;
  }
  return value;
}

/** True when no field has an error. */
export function isClean(errors: FieldErrors): boolean {
  return Object.keys(errors).length === 0;
}
