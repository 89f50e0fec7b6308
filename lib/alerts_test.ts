import assert from "node:assert/strict";
import { SMTPServer } from "smtp-server";
import type { Dashboard } from "../db/dashboard.ts";
import { insertLog, insertTimedTrigger, tempDatabase } from "../db/testing.ts";
import type { AlertConfig } from "./config.ts";
import { Poller, type Snapshot } from "./poller.ts";
import { formatDbTime } from "./time.ts";
import { Alerter, sendTestAlert } from "./alerts.ts";

/** A webhook receiver on a loopback port: what it was sent, and the statuses it answers with. */
function webhookReceiver(statuses: number[] = []) {
  const bodies: unknown[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    bodies.push(await req.json());
    return new Response(null, { status: statuses.shift() ?? 200 });
  });
  return {
    bodies,
    url: `http://127.0.0.1:${server.addr.port}/hook`,
    close: () => server.shutdown(),
  };
}

type Mail = { from: string; to: string[]; user: string | undefined; text: string };

/** A real SMTP server on a loopback port (no TLS; a login is accepted as `alerts` / `secret`). */
async function smtpReceiver() {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    disabledCommands: ["STARTTLS"],
    authOptional: true,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === "alerts" && auth.password === "secret") {
        callback(null, { user: auth.username });
      } else callback(new Error("Invalid username or password"));
    },
    onData(stream, session, callback) {
      const chunks: Uint8Array[] = [];
      stream.on("data", (c: Uint8Array) => chunks.push(c));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          user: session.user as string | undefined,
          text: new TextDecoder().decode(
            new Uint8Array(chunks.flatMap((c) => [...c])),
          ).replace(/=\r?\n/g, ""),
        });
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve) => {
    server.listen(
      0,
      "127.0.0.1",
      () => resolve((server.server.address() as { port: number }).port),
    );
  });
  return { mails, port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

function alertConfig(over: Partial<AlertConfig> = {}): AlertConfig {
  return {
    enabled: true,
    webhook: null,
    smtp: null,
    schedulerMinutes: 15,
    queueMinutes: 60,
    databaseMinutes: 5,
    repeatMinutes: 60,
    ...over,
  };
}

/** Mail to the SMTP server on loopback `port`, without TLS or login unless told. */
function loopbackSmtp(
  port: number,
  over: Partial<NonNullable<AlertConfig["smtp"]>> = {},
): AlertConfig["smtp"] {
  return {
    host: "127.0.0.1",
    port,
    security: "none",
    user: null,
    password: null,
    from: "rpa@example.org",
    to: ["ops@example.org"],
    ...over,
  };
}

/** A clock the test moves. */
function clock(start = new Date(2026, 10, 27, 9, 0, 0)) {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance(minutes: number) {
      now += minutes * 60_000;
    },
    text: (minutesAgo = 0) => formatDbTime(new Date(now - minutesAgo * 60_000)),
  };
}

async function tempState() {
  const dir = await Deno.makeTempDir({ prefix: "oo-alerts-" });
  return {
    path: `${dir}/data/alerts-state.json`,
    remove: () => Deno.remove(dir, { recursive: true }),
  };
}

const PUBLIC = "https://rpa.example";

/** An alerter posting to a webhook receiver in `format`, on a clock the test moves. */
async function webhookAlerter(format: "json" | "teams" | "slack") {
  const hook = webhookReceiver();
  const state = await tempState();
  const time = clock();
  const alerter = new Alerter(alertConfig({ webhook: { url: hook.url, format } }), {
    statePath: state.path,
    publicUrl: PUBLIC,
    now: time.now,
  });
  alerter.observe({ at: time.now() }, { outage: null }); // the first round: nothing was wrong
  return {
    alerter,
    hook,
    time,
    async close() {
      alerter.stop();
      await hook.close();
      await state.remove();
    },
  };
}

/** A snapshot with one failed trigger (and whatever else is given). */
function failedTrigger(id: string, lastRun: string): Dashboard {
  return {
    now: lastRun,
    since: lastRun,
    errorLogs: [],
    failedElements: [],
    failedTriggers: [{
      id,
      trigger_name: `Trigger ${id}`,
      process_name: "Invoices",
      process_status: "FAILED",
      type: "SINGLE",
      moment: lastRun,
    }],
    overdueTriggers: [],
    offlineSchedulers: [],
    chart: [],
    pastDays: { days: [], readAt: 0 },
  };
}

Deno.test("a real poller round's new failures reach a real webhook and a real SMTP server as one digest", async () => {
  const t = await tempDatabase({ seed: true });
  const hook = webhookReceiver();
  const smtp = await smtpReceiver();
  const state = await tempState();
  try {
    const alerter = new Alerter(
      alertConfig({
        webhook: { url: hook.url, format: "json" },
        smtp: loopbackSmtp(smtp.port, {
          user: "alerts",
          password: "secret",
          to: ["ops@example.org", "admin@example.org"],
        }),
      }),
      { statePath: state.path, publicUrl: PUBLIC },
    );
    const poller = new Poller(t.db, { outage: null }, { intervalMs: 1000 });
    poller.onRound((snapshot, health) => alerter.observe(snapshot, health));
    // The first round only records what is already wrong in the demo data.
    assert.equal(await poller.tick(), true);
    await alerter.flush();
    assert.equal(hook.bodies.length, 0);
    assert.equal(smtp.mails.length, 0);

    const now = formatDbTime(new Date());
    await insertTimedTrigger(t.db, {
      name: "Nightly payroll",
      type: "SINGLE",
      status: "FAILED",
      nextRun: now,
    });
    await insertLog(t.db, {
      log_time: now,
      log_level: "ERROR",
      process_name: "Payroll <robot>",
      log_message: "Cannot open the ledger",
    });
    assert.equal(await poller.tick(), true);
    await alerter.flush();

    assert.equal(hook.bodies.length, 1, "one message for the round");
    const body = hook.bodies[0] as {
      source: string;
      test: boolean;
      alerts: { kind: string; title: string; since: string; link: string }[];
    };
    assert.equal(body.source, "OpenOrchestrator Web");
    assert.equal(body.test, false);
    const kinds = body.alerts.map((a) => a.kind).sort();
    assert.deepEqual(kinds, ["error_logs", "trigger_failed"]);
    const trigger = body.alerts.find((a) => a.kind === "trigger_failed")!;
    assert.match(trigger.title, /^Trigger "Nightly payroll" \(process P\) is FAILED$/);
    assert.match(trigger.link, /^https:\/\/rpa\.example\/triggers\/[0-9a-f]{32}$/);
    assert.match(trigger.since, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    const errors = body.alerts.find((a) => a.kind === "error_logs")!;
    assert.equal(errors.title, "Process Payroll <robot>: 1 error log in the last hour");
    const link = new URL(errors.link);
    assert.equal(link.pathname, "/logs/Payroll%20%3Crobot%3E");
    assert.deepEqual(link.searchParams.getAll("level"), ["ERROR"]);
    assert.match(link.searchParams.get("from")!, /^\d{4}-\d\d-\d\dT\d\d:\d\d$/);

    assert.equal(smtp.mails.length, 1);
    const mail = smtp.mails[0];
    assert.equal(mail.from, "rpa@example.org");
    assert.deepEqual(mail.to, ["ops@example.org", "admin@example.org"]);
    assert.equal(mail.user, "alerts", "logged in");
    assert.match(mail.text, /Subject: \[OpenOrchestrator\] 2 alerts from OpenOrchestrator/);
    assert.ok(mail.text.includes(trigger.link), "the mail links to the trigger");
    assert.ok(mail.text.includes("Cannot") === false, "no log message in the alert");

    // Nothing new: nothing sent.
    assert.equal(await poller.tick(), true);
    await alerter.flush();
    assert.equal(hook.bodies.length, 1);
    assert.equal(smtp.mails.length, 1);
    alerter.stop();
  } finally {
    await hook.close();
    await smtp.close();
    await state.remove();
    await t.close();
  }
});

Deno.test("a webhook that answers 500 is retried with back-off; the mail does not wait for it", async () => {
  const hook = webhookReceiver([500, 503]);
  const smtp = await smtpReceiver();
  const state = await tempState();
  const time = clock();
  try {
    const alerter = new Alerter(
      alertConfig({
        webhook: { url: hook.url, format: "json" },
        smtp: loopbackSmtp(smtp.port),
      }),
      { statePath: state.path, publicUrl: PUBLIC, now: time.now, retryMs: 60_000 },
    );
    alerter.observe({ at: time.now() }, { outage: null }); // primes: nothing was wrong
    alerter.observe({ at: time.now(), dashboard: failedTrigger("t1", time.text(1)) }, {
      outage: null,
    });
    assert.equal(hook.bodies.length, 0, "observe() returns before anything is sent");
    await alerter.flush();
    assert.equal(hook.bodies.length, 1);
    assert.equal(smtp.mails.length, 1, "the mail went at once");
    assert.deepEqual(alerter.pending, [{ channel: "webhook", attempts: 1 }]);

    await alerter.flush(); // not due yet: the first retry waits a minute
    assert.equal(hook.bodies.length, 1);
    time.advance(1);
    await alerter.flush();
    assert.equal(hook.bodies.length, 2);
    assert.deepEqual(alerter.pending, [{ channel: "webhook", attempts: 2 }]);
    time.advance(1);
    await alerter.flush();
    assert.equal(hook.bodies.length, 2, "the second retry waits twice as long");
    time.advance(1);
    await alerter.flush();
    assert.equal(hook.bodies.length, 3);
    assert.deepEqual(alerter.pending, []);
    assert.deepEqual(hook.bodies[2], hook.bodies[0], "the same message each time");
    assert.equal(smtp.mails.length, 1, "the mail was not sent again");
    alerter.stop();
  } finally {
    await hook.close();
    await smtp.close();
    await state.remove();
  }
});

Deno.test("after a restart, the state file stops repeats and still delivers what was pending", async () => {
  const hook = webhookReceiver([500]);
  const state = await tempState();
  const time = clock();
  const config = alertConfig({ webhook: { url: hook.url, format: "json" } });
  const options = { statePath: state.path, publicUrl: PUBLIC, now: time.now, retryMs: 60_000 };
  try {
    const first = new Alerter(config, options);
    first.observe({ at: time.now() }, { outage: null });
    const snapshot: Snapshot = { at: time.now(), dashboard: failedTrigger("t1", time.text(1)) };
    first.observe(snapshot, { outage: null });
    await first.flush();
    assert.equal(hook.bodies.length, 1, "the receiver answered 500");
    first.stop(); // the app stops with the message undelivered

    const second = new Alerter(config, options);
    await second.flush();
    assert.equal(hook.bodies.length, 1, "the pending message waits for its retry time");
    time.advance(1);
    await second.flush();
    assert.equal(hook.bodies.length, 2, "and is delivered by the restarted app");
    // The same failure, seen again after the restart, is not sent again; one that happened while
    // the app was down is (the state was read: this is no first start that records only).
    const downtime = failedTrigger("t2", time.text(1)).failedTriggers[0];
    second.observe({
      ...snapshot,
      dashboard: {
        ...snapshot.dashboard!,
        failedTriggers: [...snapshot.dashboard!.failedTriggers, downtime],
      },
    }, { outage: null });
    await second.flush();
    assert.equal(hook.bodies.length, 3);
    type Body = { alerts: { subject: string }[] };
    assert.deepEqual((hook.bodies[2] as Body).alerts.map((a) => a.subject), ["trigger:t2"]);
    // The trigger fails again (a new last run): that is new.
    time.advance(61);
    second.observe({ at: time.now(), dashboard: failedTrigger("t1", time.text(0)) }, {
      outage: null,
    });
    await second.flush();
    assert.equal(hook.bodies.length, 4);
    second.stop();
    const saved = JSON.parse(await Deno.readTextFile(state.path));
    assert.deepEqual(Object.keys(saved.sent), ["trigger:t1", "trigger:t2"]);
    assert.deepEqual(saved.outbox, []);
  } finally {
    await hook.close();
    await state.remove();
  }
});

Deno.test("an error burst is one alert per subject in the repeat window; many at once are one digest", async () => {
  const { alerter, hook, time, close } = await webhookAlerter("json");
  try {
    const errors = (n: number) => [{ name: "Invoices", n, last: time.text() }];
    alerter.observe({ at: time.now(), recentErrors: errors(1) }, { outage: null });
    for (const n of [4, 9, 12]) {
      time.advance(10);
      alerter.observe({ at: time.now(), recentErrors: errors(n) }, { outage: null });
    }
    await alerter.flush();
    type Body = { alerts: { subject: string; title: string }[] };
    assert.deepEqual((hook.bodies as Body[]).map((b) => b.alerts.map((a) => a.title)), [[
      "Process Invoices: 1 error log in the last hour",
    ]]);
    time.advance(31); // the hour since the first alert has passed: the burst goes on
    alerter.observe({ at: time.now(), recentErrors: errors(15) }, { outage: null });
    await alerter.flush();
    assert.equal(hook.bodies.length, 2);
    assert.equal(
      (hook.bodies[1] as Body).alerts[0].title,
      "Process Invoices: 15 error logs in the last hour",
    );

    // Six queues fail at once: one message lists them all.
    time.advance(1);
    const failed = ["A", "B", "C", "D", "E", "F"].map((name) => ({
      name,
      n: 2,
      last: time.text(),
    }));
    alerter.observe({
      at: time.now(),
      dashboard: {
        ...failedTrigger("t9", time.text()),
        failedTriggers: [],
        failedElements: failed,
      },
    }, { outage: null });
    await alerter.flush();
    assert.equal(hook.bodies.length, 3);
    const digest = hook.bodies[2] as Body;
    assert.deepEqual(digest.alerts.map((a) => a.subject), failed.map((f) => `failed:${f.name}`));
  } finally {
    await close();
  }
});

Deno.test("the database unreachable for N minutes is one alert, and its return another", async () => {
  const { alerter, hook, time, close } = await webhookAlerter("slack");
  try {
    const down = { outage: "The database cannot be reached: timeout" };
    const snapshot: Snapshot = { at: time.now() };
    const started = time.text();
    for (let i = 0; i < 7; i++) {
      alerter.observe(snapshot, down);
      time.advance(1);
    }
    await alerter.flush();
    assert.equal(hook.bodies.length, 1);
    const text = (hook.bodies[0] as { text: string }).text;
    assert.equal(
      text,
      `*The database cannot be reached*\n• <${PUBLIC}/healthz|The database cannot be reached> (since ${
        started.slice(0, 19)
      })`,
    );
    alerter.observe(snapshot, { outage: null });
    await alerter.flush();
    assert.equal(hook.bodies.length, 2);
    assert.match((hook.bodies[1] as { text: string }).text, /^\*The database answers again\*/);
    // A short outage (under N minutes) says nothing, nor does its end.
    alerter.observe(snapshot, down);
    time.advance(2);
    alerter.observe(snapshot, { outage: null });
    await alerter.flush();
    assert.equal(hook.bodies.length, 2);
  } finally {
    await close();
  }
});

Deno.test("schedulers offline and queues waiting past their thresholds raise alerts with their views' links", async () => {
  const { alerter, hook, time, close } = await webhookAlerter("teams");
  try {
    const dashboard = {
      ...failedTrigger("t", time.text()),
      failedTriggers: [],
      offlineSchedulers: [
        { machine_name: "RPA-01", last_update: time.text(16) },
        { machine_name: "RPA-02", last_update: time.text(6) },
      ],
    };
    const queue = (name: string, oldest: number) => ({
      name,
      counts: { NEW: 3, IN_PROGRESS: 0, DONE: 0, FAILED: 0, ABANDONED: 0 },
      total: 3,
      oldestNew: time.text(oldest),
      lastActivity: null,
      triggers: [],
    });
    alerter.observe({
      at: time.now(),
      dashboard,
      queues: {
        rows: [queue("Fresh", 59), queue("Stuck [x] (old)", 61)],
        readAt: time.text(),
      },
    }, { outage: null });
    await alerter.flush();
    assert.equal(hook.bodies.length, 1);
    const card = hook.bodies[0] as {
      type: string;
      attachments: { contentType: string; content: { type: string; body: { text: string }[] } }[];
    };
    assert.equal(card.type, "message");
    assert.equal(card.attachments[0].contentType, "application/vnd.microsoft.card.adaptive");
    assert.equal(card.attachments[0].content.type, "AdaptiveCard");
    assert.deepEqual(card.attachments[0].content.body.map((b) => b.text), [
      "2 alerts from OpenOrchestrator",
      `[Scheduler RPA-01 is offline](${PUBLIC}/schedulers?q=RPA-01) (since ${
        time.text(16).slice(0, 19)
      })`,
      `[Queue Stuck \\[x\\] (old): 3 new elements, the oldest waiting for over 60 min](${PUBLIC}/queues/Stuck%20%5Bx%5D%20%28old%29?status=NEW) (since ${
        time.text(61).slice(0, 19)
      })`,
    ]);
  } finally {
    await close();
  }
});

Deno.test("the test alert goes to every channel at once and says which one failed", async () => {
  const hook = webhookReceiver();
  try {
    const config = alertConfig({
      enabled: false,
      webhook: { url: hook.url, format: "json" },
      smtp: loopbackSmtp(1), // nothing listens there
    });
    const results = await sendTestAlert(config, { publicUrl: PUBLIC, user: "KOMMUNE\\jdoe" });
    assert.equal(results[0].channel, "webhook");
    assert.equal(results[0].error, null);
    assert.equal(results[1].channel, "email");
    assert.match(results[1].error!, /^Cannot send the alert mail: /);
    // A webhook that cannot be reached: the message names its host, never its secret path.
    const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (closed.addr as Deno.NetAddr).port;
    closed.close();
    const url = `http://127.0.0.1:${port}/hooks/SECRET-PATH`;
    const [refused] = await sendTestAlert(
      alertConfig({ webhook: { url, format: "json" } }),
      { publicUrl: PUBLIC, user: "admin" },
    );
    assert.ok(refused.error!.startsWith(`Cannot post the webhook to http://127.0.0.1:${port}: `));
    assert.ok(!refused.error!.includes("SECRET-PATH"), refused.error!);
    const body = hook.bodies[0] as { test: boolean; alerts: { kind: string; title: string }[] };
    assert.equal(body.test, true);
    assert.equal(body.alerts[0].kind, "test");
    assert.equal(
      body.alerts[0].title,
      "A test alert, sent by KOMMUNE\\jdoe from the Settings page",
    );
  } finally {
    await hook.close();
  }
});

Deno.test("with starttls, a server that offers no STARTTLS gets no mail (never sent in plain text)", async () => {
  const smtp = await smtpReceiver();
  try {
    const results = await sendTestAlert(
      alertConfig({
        smtp: loopbackSmtp(smtp.port, {
          security: "starttls",
          user: "alerts",
          password: "secret",
        }),
      }),
      { publicUrl: PUBLIC, user: "admin" },
    );
    assert.equal(results[0].channel, "email");
    assert.match(results[0].error!, /^Cannot send the alert mail: .*STARTTLS/i);
    assert.equal(smtp.mails.length, 0);
  } finally {
    await smtp.close();
  }
});

Deno.test("while the database is away, the old snapshot raises nothing but the outage", async () => {
  const { alerter, hook, time, close } = await webhookAlerter("json");
  try {
    const snapshot: Snapshot = {
      at: time.now(),
      recentErrors: [{ name: "Invoices", n: 2, last: time.text() }],
    };
    alerter.observe(snapshot, { outage: "The database cannot be reached: timeout" });
    await alerter.flush();
    assert.equal(hook.bodies.length, 0);
    alerter.observe(snapshot, { outage: null });
    await alerter.flush();
    const [body] = hook.bodies as { alerts: { kind: string }[] }[];
    assert.deepEqual(body.alerts.map((a) => a.kind), ["error_logs"], "a short outage says nothing");
  } finally {
    await close();
  }
});
