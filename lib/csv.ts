/**
 * CSV export: RFC 4180 text (quoted where needed, CRLF line ends, UTF-8 with a byte order mark so
 * Excel reads the letters right), with formulas neutralised: a text cell that starts with `=`,
 * `+`, `-`, `@`, a tab or a carriage return is prefixed with `'`, so a spreadsheet shows it as
 * text and never runs it. Rows are written as they are read, batch by batch.
 * @module
 */
import type { CellValue, ListColumn } from "./list.ts";

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell: neutralised when it could start a formula, quoted when it must be. */
export function csvCell(value: CellValue): string {
  if (value === null) return "";
  const text = typeof value === "number"
    ? String(value)
    : FORMULA_START.test(value)
    ? `'${value}`
    : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line, CRLF-terminated. */
export function csvLine(values: CellValue[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

/**
 * The CSV of a list's exported columns (those with a `value`): the header line at once, then
 * each batch as it is read. A batch is read only when the client has taken the one before (the
 * stream pulls, nothing is read ahead), and reading stops when the client goes away.
 */
export function csvStream<T>(
  columns: readonly ListColumn<T>[],
  batches: AsyncIterable<T[]>,
): ReadableStream<Uint8Array> {
  const exported = columns.filter((c) => c.value !== undefined);
  const encoder = new TextEncoder();
  const iterator = batches[Symbol.asyncIterator]();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`\uFEFF${csvLine(exported.map((c) => c.label))}`));
        return;
      }
      const next = await iterator.next();
      if (next.done) {
        controller.close();
        return;
      }
      const text = next.value.map((row) => csvLine(exported.map((c) => c.value!(row)))).join("");
      controller.enqueue(encoder.encode(text));
    },
    async cancel() {
      await iterator.return?.();
    },
  }, { highWaterMark: 0 });
}
