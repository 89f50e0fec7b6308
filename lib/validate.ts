/**
 * Checks form input field by field, so each message can sit next to its field.
 * @module
 */
import type { FieldErrors } from "./list.ts";

/** A form body as Hono parses it. */
export type FormBody = Record<string, unknown>;

/** A text rule: the label for messages, and the length bounds (in characters). */
export type TextRule = { label: string; min?: number; max: number; trim?: boolean };

/**
 * Reads one text field and records what is wrong with it in `errors`.
 * @returns the value (trimmed when the rule says so), or "" when it is not text
 */
export function readText(
  body: FormBody,
  name: string,
  rule: TextRule,
  errors: FieldErrors,
): string {
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
  }
  return value;
}

/** True when no field has an error. */
export function isClean(errors: FieldErrors): boolean {
  return Object.keys(errors).length === 0;
}
