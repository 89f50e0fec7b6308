import assert from "node:assert/strict";
import type { FieldErrors } from "./list.ts";
import {
  checkTrigger,
  newTriggerValues,
  PAST_MESSAGE,
  readTriggerFilters,
  readTriggerForm,
  type TriggerFormValues,
} from "./trigger_input.ts";

const NOW = "2026-03-01 10:00:30.000000";

function check(
  over: Partial<TriggerFormValues>,
  options: { type?: string; gitBranch?: boolean } = {},
) {
  const errors: FieldErrors = {};
  const values = { ...newTriggerValues(), ...BASE, ...over };
  const input = checkTrigger(values, { gitBranch: true, now: NOW, ...options, errors });
  return { input, errors };
}

const BASE = {
  trigger_name: "Nightly",
  process_name: "Invoices",
  process_path: "C:\\Robots\\invoices",
  cron_expr: "0 2 * * MON-FRI",
};

Deno.test("a scheduled trigger without a first run starts at the cron's next time", () => {
  const { input, errors } = check({ scheduler_whitelist: ["vm-2, vm-1", "vm-2"] });
  assert.deepEqual(errors, {});
  assert.deepEqual(input, {
    type: "SCHEDULED",
    trigger_name: "Nightly",
    process_name: "Invoices",
    process_path: "C:\\Robots\\invoices",
    process_args: "",
    is_git_repo: false,
    git_branch: null,
    is_blocking: true,
    priority: 0,
    scheduler_whitelist: '["vm-2", "vm-1"]',
    cron_expr: "0 2 * * MON-FRI",
    next_run: "2026-03-02 02:00:00.000000",
    queue_name: null,
    min_batch_size: null,
  });
});

Deno.test("the type's own fields are checked and the others ignored", () => {
  const single = check({ type: "SINGLE", next_run: "2026-03-05T09:30", cron_expr: "junk" });
  assert.equal(single.input?.next_run, "2026-03-05 09:30:00.000000");
  assert.equal(single.input?.cron_expr, null);
  const queue = check({ type: "QUEUE", queue_name: "Q", min_batch_size: "3", next_run: "x" });
  assert.deepEqual([queue.input?.queue_name, queue.input?.min_batch_size, queue.input?.next_run], [
    "Q",
    3,
    null,
  ]);
  assert.deepEqual(check({ type: "SINGLE" }).errors, {
    next_run: "Next run is required: a date and time, or “As soon as possible”.",
  });
  assert.deepEqual(check({ type: "QUEUE", min_batch_size: "0" }).errors, {
    queue_name: "Queue name is required.",
    min_batch_size: "Minimum batch size must be a whole number from 1 to 2147483647.",
  });
  assert.match(
    check({ type: "BOGUS" }).errors.type,
    /Type must be one of Single, Scheduled, Queue/,
  );
  assert.match(check({ cron_expr: "0 0 * * * *" }).errors.cron_expr, /seconds field/);
  assert.match(check({ priority: "1.5" }).errors.priority, /whole number/);
  assert.match(check({ priority: "2147483648" }).errors.priority, /whole number/);
  assert.equal(check({ priority: "-3" }).input?.priority, -3);
  assert.equal(check({ priority: "" }).input?.priority, 0);
});

Deno.test("a past time asks for confirmation unless it is the stored one", () => {
  const past = { type: "SINGLE", next_run: "2026-03-01T09:59" };
  assert.deepEqual(check(past).errors, { next_run: PAST_MESSAGE });
  assert.equal(
    check({ ...past, confirm_past: true }).input?.next_run,
    "2026-03-01 09:59:00.000000",
  );
  assert.deepEqual(
    check({ ...past, previous_next_run: "2026-03-01T09:59" }, { type: "SINGLE" }).errors,
    {},
  );
  assert.deepEqual(
    check({ type: "SINGLE", next_run: "2026-03-01T10:00" }).errors,
    {},
    "this minute",
  );
  assert.match(
    check({ type: "SINGLE", next_run: "2026-02-30T10:00" }).errors.next_run,
    /date and time/,
  );
});

Deno.test("the type of an existing trigger cannot change; git branch only for a git repository", () => {
  assert.match(
    check({ type: "QUEUE" }, { type: "SCHEDULED" }).errors.type,
    /cannot change/,
  );
  assert.equal(check({ type: "" }, { type: "SCHEDULED" }).input?.type, "SCHEDULED");
  assert.equal(check({ git_branch: "dev" }).input?.git_branch, null);
  assert.equal(check({ git_branch: "dev", is_git_repo: true }).input?.git_branch, "dev");
  assert.equal(
    check({ git_branch: "dev", is_git_repo: true }, { gitBranch: false }).input?.git_branch,
    null,
  );
});

Deno.test("whitelist names and the stored text must fit their columns", () => {
  assert.match(
    check({ scheduler_whitelist: ["x".repeat(101)] }).errors.scheduler_whitelist,
    /at most 100/,
  );
  const many = Array.from({ length: 30 }, (_, i) => `machine-${i}`);
  assert.match(
    check({ scheduler_whitelist: many }).errors.scheduler_whitelist,
    /at most 250 characters/,
  );
});

Deno.test("readTriggerForm reads columns as typed, with length limits and checkboxes", () => {
  const errors: FieldErrors = {};
  const values = readTriggerForm({
    type: "QUEUE",
    trigger_name: "  A  ",
    process_name: "p".repeat(101),
    process_path: "",
    is_blocking: "on",
    scheduler_whitelist: ["a", "b"],
  }, errors);
  assert.equal(values.trigger_name, "A");
  assert.equal(values.is_blocking, true);
  assert.equal(values.is_git_repo, false);
  assert.deepEqual(values.scheduler_whitelist, ["a", "b"]);
  assert.deepEqual(errors, {
    process_name: "Process name can be at most 100 characters (this is 101).",
    process_path: "Process path is required.",
  });
});

Deno.test("readTriggerFilters takes one type and any known statuses", () => {
  const ok = readTriggerFilters(
    new URLSearchParams("type=QUEUE&status=IDLE&status=FAILED&status=IDLE"),
  );
  assert.deepEqual(ok, { value: { type: "QUEUE", status: ["IDLE", "FAILED"] }, errors: {} });
  const bad = readTriggerFilters(new URLSearchParams("type=queue&status=Idle"));
  assert.deepEqual(Object.keys(bad.errors), ["type", "status"]);
});
