import assert from "node:assert/strict";
import {
  canDelete,
  decide,
  needsConfirm,
  offeredActions,
  onSchedule,
  TRIGGER_ACTIONS,
  TRIGGER_STATUSES,
  TRIGGER_TYPES,
  type TriggerAction,
} from "./trigger_status.ts";

// docs/design.md#trigger-status-rules written out by hand, status by status in the order
// IDLE RUNNING FAILED DONE PAUSED PAUSING KILLING KILLED:
// "-" refused, "?X" allowed to X after confirmation, "X*" allowed with next_run = now,
// "X+" allowed with a given next_run.
const EXPECTED: Record<TriggerAction, Record<string, string>> = {
  pause: {
    SINGLE: "PAUSED PAUSING PAUSED PAUSED - - - PAUSED",
    SCHEDULED: "PAUSED PAUSING PAUSED PAUSED - - - PAUSED",
    QUEUE: "PAUSED PAUSING PAUSED PAUSED - - - PAUSED",
  },
  resume: {
    SINGLE: "- - IDLE IDLE+ IDLE RUNNING - IDLE",
    SCHEDULED: "- - IDLE - IDLE RUNNING - IDLE",
    QUEUE: "- - IDLE - IDLE RUNNING - IDLE",
  },
  run: {
    SINGLE: "IDLE* - ?IDLE* - ?IDLE* - - -",
    SCHEDULED: "IDLE* - ?IDLE* - ?IDLE* - - -",
    QUEUE: "- - - - - - - -",
  },
  kill: {
    SINGLE: "- KILLING - - - KILLING - -",
    SCHEDULED: "- KILLING - - - KILLING - -",
    QUEUE: "- KILLING - - - KILLING - -",
  },
  reset: {
    SINGLE: "- - IDLE - - - - IDLE",
    SCHEDULED: "- - IDLE - - - - IDLE",
    QUEUE: "- - IDLE - - - - IDLE",
  },
};

function spelled(action: TriggerAction, type: string, status: string, confirmed: boolean) {
  const step = decide(action, { type, status }, { killing: true, confirmed });
  if (!step.ok) return step.reason === "confirm" ? "confirm" : "-";
  return step.to + (step.nextRun === "now" ? "*" : step.nextRun === "given" ? "+" : "");
}

for (const action of TRIGGER_ACTIONS) {
  Deno.test(`decide: ${action} from every status of every type follows docs/design.md#trigger-status-rules`, () => {
    for (const type of TRIGGER_TYPES) {
      const expected = EXPECTED[action][type].split(" ");
      TRIGGER_STATUSES.forEach((status, i) => {
        const want = expected[i];
        const where = `${action} ${type} ${status}`;
        if (want.startsWith("?")) {
          assert.equal(spelled(action, type, status, false), "confirm", where);
          assert.equal(spelled(action, type, status, true), want.slice(1), where);
          assert.equal(needsConfirm(action, { type, status }), true, where);
        } else {
          assert.equal(spelled(action, type, status, false), want, where);
          assert.equal(spelled(action, type, status, true), want, where);
          assert.equal(needsConfirm(action, { type, status }), false, where);
        }
      });
    }
  });
}

Deno.test("decide never goes from RUNNING to IDLE, and never writes KILLING without it", () => {
  for (const action of TRIGGER_ACTIONS) {
    for (const type of TRIGGER_TYPES) {
      for (const status of TRIGGER_STATUSES) {
        for (const killing of [true, false]) {
          const step = decide(action, { type, status }, { killing, confirmed: true });
          if (!step.ok) continue;
          assert.ok(!(status === "RUNNING" && step.to === "IDLE"), `${action} ${status}`);
          if (!killing) assert.notEqual(step.to, "KILLING", `${action} ${status}`);
        }
      }
    }
  }
  const refused = decide("kill", { type: "SINGLE", status: "RUNNING" }, { killing: false });
  assert.deepEqual(refused, {
    ok: false,
    reason: "refused",
    message: "Cannot kill: this database's revision (2.0.x) has no KILLING status.",
  });
});

Deno.test("decide refuses unknown statuses and types with the stored name in the message", () => {
  assert.deepEqual(decide("pause", { type: "SINGLE", status: "WAITING" }, { killing: true }), {
    ok: false,
    reason: "refused",
    message: "Cannot pause: the trigger is WAITING.",
  });
  assert.equal(decide("resume", { type: "OTHER", status: "DONE" }, { killing: true }).ok, false);
  assert.equal(canDelete("WAITING"), false);
});

Deno.test("delete is refused while a process may run", () => {
  assert.deepEqual(
    TRIGGER_STATUSES.filter(canDelete),
    ["IDLE", "FAILED", "DONE", "PAUSED", "KILLED"],
  );
});

Deno.test("offeredActions: pause and resume are one toggle; failed and killed offer reset", () => {
  const offered = (type: string, status: string, killing = true) =>
    offeredActions({ type, status }, killing).join(" ");
  assert.equal(offered("SCHEDULED", "IDLE"), "pause run");
  assert.equal(offered("SCHEDULED", "RUNNING"), "pause kill");
  assert.equal(offered("SCHEDULED", "RUNNING", false), "pause");
  assert.equal(offered("SCHEDULED", "FAILED"), "pause run reset");
  assert.equal(offered("SINGLE", "DONE"), "resume");
  assert.equal(offered("SCHEDULED", "DONE"), "pause");
  assert.equal(offered("QUEUE", "PAUSED"), "resume");
  assert.equal(offered("SINGLE", "PAUSED"), "resume run");
  assert.equal(offered("QUEUE", "PAUSING"), "resume kill");
  assert.equal(offered("QUEUE", "KILLING"), "");
  assert.equal(offered("SINGLE", "KILLED"), "pause reset");
});

Deno.test("onSchedule: a stored next run is on schedule when the expression gives that minute", () => {
  assert.equal(onSchedule("30 8 * * *", "2026-11-24 08:30:00.000000"), true);
  assert.equal(onSchedule("30 8 * * *", "2026-11-24 08:30:41.123456"), true, "seconds aside");
  assert.equal(onSchedule("30 8 * * *", "2026-11-24 13:17:00.000000"), false, "Run now, an edit");
  assert.equal(onSchedule("0 7 * * MON", "2026-11-24 07:00:00.000000"), false, "a Tuesday");
  assert.equal(onSchedule("0 7 * * MON", "2026-11-23 07:00:00.000000"), true);
  assert.equal(onSchedule("not cron", "2026-11-24 07:00:00.000000"), true, "flagged on its own");
});
