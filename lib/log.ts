/**
 * The app's log lines (stdout and stderr, which IIS keeps in `logs\stdout_*.log`). Every line goes
 * through {@linkcode escapeControls}, so a request path or a user name cannot start a forged line.
 * @module
 */

// C0 controls, DEL, C1 controls and the Unicode line and paragraph separators.
// deno-lint-ignore no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Writes control characters as `\n`, `\r`, `\t` or `\xNN` / `\uNNNN`, so text stays on one line. */
export function escapeControls(text: string): string {
  return text.replace(CONTROLS, (ch) => {
    if (ch === "\n") return "\\n";
    if (ch === "\r") return "\\r";
    if (ch === "\t") return "\\t";
    const code = ch.charCodeAt(0);
    return code > 0xff
      ? `\\u${code.toString(16).padStart(4, "0")}`
      : `\\x${code.toString(16).padStart(2, "0")}`;
  });
}

/** Writes one line to stdout. */
export function logLine(text: string): void {
  console.log(escapeControls(text));
}

/** Writes one line to stderr: `what`, then the error's stack (or message) on the same line. */
export function logError(what: string, error: unknown): void {
  const detail = error instanceof Error ? error.stack ?? error.message : String(error);
  console.error(escapeControls(`${what}: ${detail}`));
}
