/**
 * The 3,000 reference cases of cronsim 2.6 (the Python scheduler's cron library): for each
 * expression and start, its next 5 runs or its error ("Bad day-of-week"). `testdata/README.md`
 * says where they come from.
 */
import assert from "node:assert/strict";
import { cronErrorField, cronMinute, cronMinuteText, cronRunsBetween, nextRuns } from "./cron.ts";

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

Deno.test("cronRunsBetween gives cronsim's runs, and the runs of nextRuns repeated over 8 days", () => {
  const wrong: string[] = [];
  const iso = (runs: number[]) => runs.map((r) => cronMinuteText(r).slice(0, 19).replace(" ", "T"));
  let compared = 0;
  for (const c of cases) {
    if (c.error) continue;
    const last = c.next![4];
    // cronsim's own answers, where its fifth run is within 60 days (the walk is day by day).
    if (Date.parse(last) - Date.parse(c.start) <= 60 * 86_400_000) {
      compared++;
      const runs = iso(cronRunsBetween(c.expr, { from: c.start, until: last }));
      if (runs.join() !== c.next!.join()) {
        wrong.push(`'${c.expr}' from ${c.start}: expected ${c.next!.join(", ")}; got ${runs}`);
      }
    }
    // A week and a day, up to 300 runs, against nextRuns chained from each run.
    const until = new Date(Date.parse(`${c.start}Z`) + 8 * 86_400_000).toISOString().slice(0, 19);
    const chained: string[] = [];
    for (let from = c.start; chained.length < 300;) {
      const batch = nextRuns(c.expr, from, 50).filter((r) =>
        r.slice(0, 19) <= until.replace("T", " ")
      );
      chained.push(...batch);
      if (batch.length < 50) break;
      from = batch[49];
    }
    const window = cronRunsBetween(c.expr, { from: c.start, until }).map(cronMinuteText);
    const complete = chained.length < 300;
    if (
      window.slice(0, chained.length).join() !== chained.join() ||
      (complete && window.length !== chained.length)
    ) {
      wrong.push(`'${c.expr}' from ${c.start} to ${until}: the runs differ from nextRuns`);
    }
  }
  assert.ok(compared > 500, `only ${compared} cases have 5 runs within 60 days`);
  assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} windows differ`);
});

Deno.test("cronRunsBetween finds every run of a busy expression; the window's end is included", () => {
  const week = cronRunsBetween("* * * * *", {
    from: "2026-11-28 12:00:30.000000",
    until: "2026-12-05 12:00:00",
  });
  assert.equal(week.length, 7 * 24 * 60);
  assert.deepEqual(week.slice(0, 2).map(cronMinuteText), [
    "2026-11-28 12:01:00.000000",
    "2026-11-28 12:02:00.000000",
  ]);
  assert.equal(cronMinuteText(week.at(-1)!), "2026-12-05 12:00:00.000000");
  assert.deepEqual(
    cronRunsBetween("0 9 * * *", {
      from: cronMinute("2026-11-28 09:00:59"),
      until: "2026-11-30 09:00",
    })
      .map(cronMinuteText),
    ["2026-11-29 09:00:00.000000", "2026-11-30 09:00:00.000000"],
  );
});
