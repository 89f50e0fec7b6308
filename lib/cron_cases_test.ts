/**
 * The 3,000 reference cases of cronsim 2.6 (the Python scheduler's cron library): for each
 * expression and start, its next 5 runs or its error ("Bad day-of-week"). `testdata/README.md`
 * says where they come from.
 */
import assert from "node:assert/strict";
import { cronErrorField, nextRuns } from "./cron.ts";

type Case = { expr: string; start: string; next?: string[]; error?: string };

const { cases } = JSON.parse(
  await Deno.readTextFile(new URL("../testdata/cronsim_cases.json", import.meta.url)),
) as { cases: Case[] };

/** cronsim's message for a field ("Bad day-of-week"), as {@linkcode cronErrorField} names it. */
function cronsimMessage(field: string | null | undefined): string | undefined {
  return field === undefined
    ? undefined
    : field === null
    ? "Wrong number of fields"
    : `Bad ${field}`;
}

Deno.test("cronsim 2.6's 3,000 reference cases: the same errors and the same next 5 runs", () => {
  assert.equal(cases.length, 3000);
  const wrong: string[] = [];
  for (const c of cases) {
    const error = cronsimMessage(cronErrorField(c.expr));
    if (error !== c.error) {
      wrong.push(`'${c.expr}': expected ${c.error ?? "valid"}, got ${error ?? "valid"}`);
      continue;
    }
    if (c.error) continue;
    const runs = nextRuns(c.expr, c.start, 5).map((r) => r.slice(0, 19).replace(" ", "T"));
    if (runs.join() !== c.next!.join()) {
      wrong.push(
        `'${c.expr}' from ${c.start}: expected ${c.next!.join(", ")}; got ${runs.join(", ")}`,
      );
    }
  }
  assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} cases differ from cronsim`);
});
