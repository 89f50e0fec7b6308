import assert from "node:assert/strict";
import { formatDbTime } from "../lib/time.ts";
import { testApp } from "./testing.ts";
import { insertLog } from "../db/testing.ts";

const FRAGMENT = { "HX-Request": "true" };
const hoursAgo = (hours: number) => formatDbTime(new Date(Date.now() - hours * 3_600_000));

Deno.test("GET /search: every source, each result linking to its own view", async () => {
  const t = await testApp();
  try {
    const [element] = await t.db.query<{ id: string }>(
      "SELECT id FROM Queues WHERE reference = 'INTAKE-1330'",
    );
    const html = await (await t.get("/search?q=INTAKE-1330")).text();
    assert.match(html, /^<!DOCTYPE html>/);
    assert.match(html, /<title>Search: INTAKE-1330 &middot; OpenOrchestrator<\/title>/);
    assert.ok(
      html.includes(`<a href="/queues/Intake.Cases/elements/${element.id}">INTAKE-1330</a>`),
    );
    assert.match(html, /Intake.Cases <span class="badge status/);

    const [trigger] = await t.db.query<{ id: string }>(
      "SELECT id FROM Triggers WHERE trigger_name = 'Nightly invoices'",
    );
    const invoices = await (await t.get("/search?q=invoice")).text();
    assert.ok(invoices.includes(`<a href="/triggers/${trigger.id}">Nightly invoices</a>`));
    assert.ok(invoices.includes(`<a href="/logs/Invoice%20Processing">Invoice Processing</a>`));
    assert.ok(invoices.includes(`<a href="/queues/Invoices.Approve">Invoices.Approve</a>`));
    assert.ok(invoices.includes(`<a href="/constants?q=Invoice+approver">Invoice approver</a>`));

    const sap = await (await t.get("/search?q=sap")).text();
    assert.ok(sap.includes(`<a href="/credentials?q=SAP">SAP</a>`));
    assert.ok(sap.includes(`<a href="/constants?q=SAP+system">SAP system</a>`));
    const vm = await (await t.get("/search?q=vm-03")).text();
    assert.ok(vm.includes(`<a href="/schedulers?q=rpa-vm-03">rpa-vm-03</a>`));
    assert.match(vm, /offline, last seen/);

    // A log message of the last 24 hours links to the rows around it, marked; an older one is
    // not searched.
    const recent = await insertLog(t.db, {
      log_time: hoursAgo(1),
      log_level: "ERROR",
      process_name: "Case Intake",
      log_message: "Cannot open case INTAKE-1330: <locked>",
    });
    await insertLog(t.db, {
      log_time: hoursAgo(30),
      log_level: "INFO",
      process_name: "Case Intake",
      log_message: "Opened case INTAKE-1330 (yesterday)",
    });
    const messages = await (await t.get("/search?q=case+intake-1330")).text();
    assert.match(messages, /Log messages of the last 24 hours/);
    assert.match(messages, /Cannot open <mark>case INTAKE-1330<\/mark>: &lt;locked&gt;/);
    assert.ok(!messages.includes("yesterday"));
    assert.match(messages, new RegExp(`href="/logs/Case%20Intake\\?from=[^"]*highlight=${recent}`));
  } finally {
    await t.close();
  }
});

Deno.test("GET /search: the header's list, JSON, and bad or empty text", async () => {
  const t = await testApp();
  try {
    // The header's list: options only, at most 5 a group, then the link to all results.
    const response = await t.get("/search?q=INTAKE-1", FRAGMENT);
    assert.equal(response.headers.get("Vary"), "HX-Request, Accept");
    const list = await response.text();
    assert.doesNotMatch(list, /<html/);
    assert.equal(list.match(/role="option" id="find-elements-\d"/g)?.length, 5);
    assert.match(list, /Queue elements by reference<small>, the first 5 only/);
    assert.match(list, /id="find-all" href="\/search\?q=INTAKE-1"/);
    // Its log messages load on their own, into their placeholder.
    assert.match(list, /hx-get="\/search\/messages\?q=INTAKE-1" hx-trigger="load"/);
    assert.doesNotMatch(list, /find-messages-0/);
    await insertLog(t.db, {
      log_time: hoursAgo(1),
      log_level: "INFO",
      process_name: "Case Intake",
      log_message: "Handled INTAKE-1330",
    });
    const messages = await (await t.get("/search/messages?q=intake-1", FRAGMENT)).text();
    assert.match(messages, /^<div role="group" aria-labelledby="find-g-messages">/);
    assert.match(messages, /id="find-messages-0"[^>]*>.*Handled <mark>INTAKE-1<\/mark>330/s);
    const noMessages = await (await t.get("/search/messages?q=zzz", FRAGMENT)).text();
    assert.match(noMessages, /aria-disabled="true">No log message of the last 24 hours contains/);
    const plain = await t.get("/search/messages?q=a+b");
    assert.equal(plain.status, 303);
    assert.equal(plain.headers.get("Location"), "/search?q=a+b");

    const none = await (await t.get("/search?q=zzz-nothing", FRAGMENT)).text();
    assert.match(
      none,
      /aria-disabled="true">No name or reference matches &ldquo;zzz-nothing&rdquo;/,
    );
    assert.equal(await (await t.get("/search?q=", FRAGMENT)).text(), "");

    const json = await (await t.json("/search?q=INTAKE-13")).json();
    assert.equal(json.q, "INTAKE-13");
    assert.equal(json.limit, 50);
    assert.match(json.since, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.equal(json.elements.rows.length, 20, "INTAKE-1300, INTAKE-1303 … INTAKE-1357");
    assert.equal(json.elements.rows[0].reference, "INTAKE-1300");
    assert.match(json.elements.rows[0].created_date, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    assert.deepEqual(Object.keys(json).sort(), [
      "constants",
      "credentials",
      "elements",
      "limit",
      "messages",
      "processes",
      "q",
      "queues",
      "schedulers",
      "since",
      "triggers",
    ]);

    const long = "x".repeat(201);
    const refused = await t.json(`/search?q=${long}`);
    assert.equal(refused.status, 400);
    assert.deepEqual(await refused.json(), {
      errors: { q: "Search text can be at most 200 characters." },
    });
    const flash = await t.get(`/search?q=${long}`, FRAGMENT);
    assert.equal(flash.status, 400);
    assert.match(await flash.text(), /hx-swap-oob="true".*at most 200 characters/s);
    const page = await t.get(`/search?q=${long}`);
    assert.equal(page.status, 400);
    assert.match(
      await page.text(),
      /id="search-q-error" class="field-error" role="alert">Search text can be at most 200/,
    );

    const empty = await (await t.get("/search")).text();
    assert.match(empty, /<title>Search &middot; OpenOrchestrator<\/title>/);
    assert.doesNotMatch(empty, /Nothing matches/);
    const script = await (await t.get("/search?q=%3Cscript%3E")).text();
    assert.match(script, /Nothing matches &ldquo;&lt;script&gt;&rdquo;/);
    assert.doesNotMatch(script, /<script>/);

    // Every page has the box, a combobox that controls the listbox.
    const dashboard = await (await t.get("/dashboard")).text();
    assert.match(dashboard, /role="combobox"[^>]*aria-controls="find-results"/);
    assert.match(dashboard, /id="find-results"[^>]*role="listbox"/);
  } finally {
    await t.close();
  }
});
