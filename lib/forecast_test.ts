import assert from "node:assert/strict";
import { nextRuns } from "./cron.ts";
import {
  forecast,
  type ForecastInput,
  type ForecastMachine,
  type ForecastTrigger,
  RUN_LIMIT,
  usualSeconds,
} from "./forecast.ts";

/** Monday 30 November 2026, 08:00:20. */
const NOW = "2026-11-30 08:00:20.000000";

let ids = 0;

function trigger(fields: Partial<ForecastTrigger>): ForecastTrigger {
  ids++;
  return {
    id: `id-${ids}`,
    trigger_name: `Trigger ${ids}`,
    type: "SCHEDULED",
    process_status: "IDLE",
    process_name: `Process ${ids}`,
    is_blocking: false,
    priority: 0,
    scheduler_whitelist: "[]",
    next_run: null,
    cron_expr: null,
    queue_name: null,
    min_batch_size: null,
    ...fields,
  };
}

const ONLINE: ForecastMachine[] = [{ name: "vm-1", state: "online" }];

function run(
  triggers: ForecastTrigger[],
  more: Partial<ForecastInput> & { window?: "24h" | "7d" } = {},
) {
  return forecast(
    { triggers, machines: ONLINE, newElements: {}, durations: {}, ...more },
    { now: NOW, window: more.window ?? "24h" },
  );
}

function rows(result: ReturnType<typeof forecast>) {
  return result.groups.flatMap((g) => g.rows);
}

Deno.test("a scheduled trigger's runs: its next_run first, then lib/cron's runs after it", () => {
  const hourly = trigger({ cron_expr: "0 * * * *", next_run: "2026-11-30 09:00:00.000000" });
  const result = run([hourly]);
  const [row] = rows(result);
  const expected = [hourly.next_run!, ...nextRuns("0 * * * *", hourly.next_run!, 23)];
  assert.deepEqual(row.runs, expected);
  assert.equal(row.run_count, 24);
  assert.equal(result.until, "2026-12-01 08:00:20.000000");
  assert.equal(row.due_now, false);

  // Off its schedule (Run now, an edit): the stored next_run is the first run all the same.
  const moved = trigger({ cron_expr: "0 9 * * *", next_run: "2026-11-30 08:37:00.000000" });
  assert.deepEqual(rows(run([moved]))[0].runs, [
    "2026-11-30 08:37:00.000000",
    "2026-11-30 09:00:00.000000",
  ]);

  // Passed: due at once (the scheduler starts it at its next check), then the cron's runs.
  const late = trigger({ cron_expr: "30 8 * * *", next_run: "2026-11-29 08:30:00.000000" });
  const [due] = rows(run([late]));
  assert.equal(due.due_now, true);
  assert.deepEqual(due.runs, ["2026-11-30 08:00:00.000000", "2026-11-30 08:30:00.000000"]);
});

Deno.test("a trigger with a run every minute is counted in full and drawn as bands", () => {
  const busy = trigger({ cron_expr: "* * * * *", next_run: "2026-11-30 08:01:00.000000" });
  const [row] = rows(run([busy], { window: "7d" }));
  assert.equal(row.run_count, 7 * 24 * 60);
  assert.equal(row.runs.length, RUN_LIMIT);
  assert.equal(row.runs_capped, true);
  assert.deepEqual(row.bands, [{
    from: "2026-11-30 08:01:00.000000",
    to: "2026-12-07 08:00:00.000000",
    runs: 10080,
  }]);

  const officeHours = trigger({ cron_expr: "*/15 8-16 * * *", next_run: "2026-11-30 08:15" });
  const [office] = rows(run([officeHours], { window: "7d" }));
  // Seven working days, and the 08:00 run of the eighth morning, which the window ends with.
  assert.equal(office.bands.length, 8);
  assert.equal(office.bands[7].runs, 1);
  assert.deepEqual(office.bands[1], {
    from: "2026-12-01 08:00:00.000000",
    to: "2026-12-01 16:45:00.000000",
    runs: 36,
  });
});

Deno.test("single triggers: one run when due in the window; none once finished or later", () => {
  const result = run([
    trigger({ type: "SINGLE", next_run: "2026-11-30 12:00:00.000000" }),
    trigger({ type: "SINGLE", next_run: "2026-12-03 12:00:00.000000" }),
    trigger({ type: "SINGLE", next_run: "2026-11-30 07:00:00.000000", process_status: "DONE" }),
  ]);
  assert.deepEqual(rows(result).map((r) => r.runs), [["2026-11-30 12:00:00.000000"]]);
  assert.equal(result.quiet, 2);
});

Deno.test("blocking triggers due together on one machine collide; the later waits its usual time", () => {
  const at = "2026-11-30 10:00:00.000000";
  const first = trigger({
    trigger_name: "Invoices",
    cron_expr: "0 10 * * *",
    next_run: at,
    is_blocking: true,
    priority: 5,
    process_name: "Invoices",
  });
  const second = trigger({
    trigger_name: "Letters",
    cron_expr: "0 10 * * *",
    next_run: at,
    is_blocking: true,
    process_name: "Letters",
  });
  const third = trigger({
    trigger_name: "Mail",
    type: "SINGLE",
    next_run: at,
    process_name: "Mail",
  });
  const elsewhere = trigger({
    cron_expr: "0 10 * * *",
    next_run: at,
    scheduler_whitelist: '["vm-2"]',
  });
  const machines: ForecastMachine[] = [...ONLINE, { name: "vm-2", state: "online" }];
  const oneMachine = '["vm-1"]';
  for (const t of [first, second, third]) t.scheduler_whitelist = oneMachine;

  const known = run([first, second, third, elsewhere], {
    machines,
    durations: { Invoices: 600, Letters: 300, Mail: 120 },
  });
  assert.equal(known.collision_count, 1);
  const [collision] = known.collisions;
  assert.equal(collision.at, at);
  assert.deepEqual(collision.machines, ["vm-1"]);
  assert.equal(collision.certain, true);
  // Highest priority first, then a single before a scheduled trigger: "Mail" waits for the
  // blocking "Invoices" to end, the blocking "Letters" for both.
  assert.deepEqual(
    collision.triggers.map((t) => [t.trigger_name, t.wait_seconds]),
    [["Invoices", 0], ["Mail", 600], ["Letters", 720]],
  );
  assert.deepEqual(rows(known).map((r) => [r.trigger_name, r.collisions]).sort(), [
    ["Invoices", 1],
    ["Letters", 1],
    ["Mail", 1],
    [elsewhere.trigger_name, 0],
  ]);

  // Without run times they only collide; the first still starts at once.
  const unknown = run([first, second], { machines });
  assert.deepEqual(unknown.collisions[0].triggers.map((t) => t.wait_seconds), [0, null]);

  // Two machines each may take one: they may collide, but need not.
  for (const t of [first, second]) t.scheduler_whitelist = "[]";
  const spread = run([first, second], { machines });
  assert.equal(spread.collisions[0].certain, false);
  assert.deepEqual(spread.collisions[0].machines, ["vm-1", "vm-2"]);

  // Without a blocking one, runs due together simply run side by side.
  for (const t of [first, second]) t.is_blocking = false;
  assert.equal(run([first, second], { machines }).collision_count, 0);
});

Deno.test("a whitelist of offline or unknown machines never runs; a stale machine still may", () => {
  const machines: ForecastMachine[] = [
    { name: "vm-off", state: "offline" },
    { name: "vm-stale", state: "stale" },
  ];
  const never = trigger({
    cron_expr: "0 12 * * *",
    next_run: "2026-11-30 12:00",
    scheduler_whitelist: '["vm-off", "vm-gone"]',
    is_blocking: true,
  });
  const stale = trigger({
    cron_expr: "0 12 * * *",
    next_run: "2026-11-30 12:00",
    scheduler_whitelist: '["vm-stale"]',
  });
  const result = run([never, stale], { machines });
  const byName = new Map(rows(result).map((r) => [r.trigger_name, r]));
  assert.deepEqual(byName.get(never.trigger_name)!.never_runs, [
    { name: "vm-gone", state: "unknown" },
    { name: "vm-off", state: "offline" },
  ]);
  assert.equal(byName.get(stale.trigger_name)!.never_runs, null);
  assert.equal(result.no_machine, false);
  // A run that never happens collides with nothing.
  assert.equal(result.collision_count, 0);
  assert.deepEqual(result.groups.map((g) => g.machines), [
    [{ name: "vm-gone", state: "unknown" }, { name: "vm-off", state: "offline" }],
    [{ name: "vm-stale", state: "stale" }],
  ]);

  const unreadable = trigger({ cron_expr: "0 12 * * *", next_run: "2026-11-30 12:00" });
  unreadable.scheduler_whitelist = "vm-1,vm-2";
  assert.match(rows(run([unreadable]))[0].problem!, /cannot read its whitelist \(vm-1,vm-2\)/);
  assert.equal(run([stale], { machines: [] }).no_machine, true);
});

Deno.test("paused, failed and killed triggers keep their runs, marked as skipped", () => {
  const statuses = ["PAUSED", "PAUSING", "FAILED", "KILLED", "RUNNING", "IDLE"];
  const result = run(
    statuses.map((s) =>
      trigger({
        trigger_name: s,
        process_status: s,
        cron_expr: "0 10 * * *",
        next_run: "2026-11-30 10:00",
        is_blocking: true,
      })
    ),
  );
  const byName = new Map(rows(result).map((r) => [r.trigger_name, r]));
  assert.deepEqual(statuses.map((s) => byName.get(s)!.skipped), [
    "paused",
    "paused",
    "failed",
    "killed",
    null,
    null,
  ]);
  assert.ok(statuses.every((s) => byName.get(s)!.run_count === 1));
  // Only the running one and the idle one will start: they collide.
  assert.deepEqual(result.collisions[0].triggers.map((t) => t.trigger_name).sort(), [
    "IDLE",
    "RUNNING",
  ]);
});

Deno.test("a queue trigger whose queue holds its batch of new elements is due now", () => {
  const due = trigger({ type: "QUEUE", queue_name: "Intake", min_batch_size: 5 });
  const short = trigger({ type: "QUEUE", queue_name: "Letters", min_batch_size: 10 });
  const empty = trigger({ type: "QUEUE", queue_name: "Nothing", min_batch_size: 1 });
  const result = run([due, short, empty], { newElements: { Intake: 5, Letters: 9 } });
  const [row] = rows(result);
  assert.equal(row.id, due.id);
  assert.equal(row.due_now, true);
  assert.deepEqual(row.runs, ["2026-11-30 08:00:00.000000"]);
  assert.deepEqual(row.queue, { name: "Intake", waiting: 5, batch: 5 });
  assert.equal(result.waiting, 2);
});

Deno.test("an unreadable stored cron expression: one run, and the scheduler fails on it", () => {
  const bad = trigger({ cron_expr: "15W * * * *", next_run: "2026-11-30 09:00" });
  const [row] = rows(run([bad]));
  assert.deepEqual(row.runs, ["2026-11-30 09:00:00.000000"]);
  assert.match(row.problem!, /cannot read its cron expression/);
});

Deno.test("usual run times: the median of the finished jobs of each process", () => {
  assert.deepEqual(
    usualSeconds([
      {
        process_name: "A",
        start_time: "2026-11-30 08:00:00.000000",
        end_time: "2026-11-30 08:10:00.000000",
      },
      {
        process_name: "A",
        start_time: "2026-11-30 09:00:00.000000",
        end_time: "2026-11-30 09:02:30.000000",
      },
      {
        process_name: "A",
        start_time: "2026-11-30 10:00:50.000000",
        end_time: "2026-11-30 10:01:10.000000",
      },
      {
        process_name: "B",
        start_time: "2026-11-30 23:59:00.000000",
        end_time: "2026-12-01 00:01:00.000000",
      },
    ]),
    { A: 150, B: 120 },
  );
});
