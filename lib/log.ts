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

/** How long a line may wait to be written with the lines after it. */
const FLUSH_MS = 100;

/** The lines not yet written, and the timer that writes them. */
let pending: string[] = [];
let flushTimer: ReturnType<typeof setTimeout> | undefined;

/**
 * Writes one line to stdout, together with the lines logged within {@linkcode FLUSH_MS} of it:
 * a line per request, each written alone, cost the server a seventh of its requests per second.
 */
export function logLine(text: string): void {
  pending.push(escapeControls(text));
  flushTimer ??= setTimeout(flushLog, FLUSH_MS);
}

/** Writes the lines {@linkcode logLine} holds now (its timer does, and so does the shutdown). */
export function flushLog(): void {
  clearTimeout(flushTimer);
  flushTimer = undefined;
  if (pending.length === 0) return;
  const lines = pending.join("\n");
  pending = [];
  console.log(lines);
}

/**
 * Writes one line to stderr: `what`, then the error's stack (or message) on the same line. The
 * lines logged before it are written first, so the log keeps their order.
 */
export function logError(what: string, error: unknown): void {
  flushLog();
  const detail = error instanceof Error ? error.stack ?? error.message : String(error);
  console.error(escapeControls(`${what}: ${detail}`));
}
