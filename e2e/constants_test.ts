/**
 * The Constants page in a real browser: search, sort, paging, create, edit, delete, escaping,
 * and the same list state from a pushed URL with JavaScript off.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { Db } from "../db/connection.ts";
import { createConstant, getConstant } from "../db/constants.ts";
import { answerNextDialog, browserTest, columnTexts, eventually, queryOf } from "./browser.ts";

const DEMO_NAMES = [
  "Invoice approver",
  "Letter template",
  "Max retries",
  "Portal URL",
  "SAP system",
  "Working hours",
];

/** The names, or the table's message when no row is shown ("No constant matches …"). */
async function names(page: Page): Promise<string[]> {
  const texts = await columnTexts(page, "constants-table", 1);
  // Read without waiting: a swap may take the message away between a count and a read.
  const empty = await page.locator("#constants-table-empty:visible").allTextContents();
  return texts.length || !empty.length ? texts : [empty[0].trim()];
}
const values = (page: Page) => columnTexts(page, "constants-table", 2);
const pagerCount = (page: Page) =>
  page.locator("#constants-table .pager .count").textContent().then((t) => t?.trim());
const search = (page: Page) => page.getByRole("searchbox", { name: "Search names and values" });
const header = (page: Page, label: string) =>
  page.locator("#constants-table thead th a", { hasText: label });
const row = (page: Page, name: string) =>
  page.locator("#constants-table tbody tr").filter({
    has: page.locator("td:first-child", { hasText: name }),
  });
const flash = (page: Page) => page.locator("#flash .flash");

/** Counts the list requests (GET /constants with or without a query) the page sends. */
function countListRequests(page: Page): { urls: string[] } {
  const urls: string[] = [];
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (request.method() === "GET" && url.pathname === "/constants") urls.push(url.search);
  });
  return { urls };
}

/** Counts the unsafe requests (POST, DELETE) the page sends. */
function countWrites(page: Page): () => number {
  let writes = 0;
  page.on("request", (request) => {
    if (request.method() !== "GET") writes++;
  });
  return () => writes;
}

async function addBatch(page: Page, db: Db) {
  for (let n = 1; n <= 30; n++) {
    const name = `Batch ${String(n).padStart(2, "0")}`;
    assert.equal(await createConstant(db, { name, value: `value ${n}`, user: "e2e" }), "done");
  }
  await page.goto("/constants");
}

browserTest("constants: the page loads with the demo rows and no console errors", async (t) => {
  const { page } = t;
  const response = await page.goto("/constants");
  assert.equal(response?.status(), 200);
  assert.match(response?.headers()["content-security-policy"] ?? "", /script-src 'nonce-/);
  assert.deepEqual(await names(page), DEMO_NAMES);
  assert.equal(await pagerCount(page), "1–6 of 6");
  assert.equal(await page.title(), "Constants · OpenOrchestrator");
  // Both libraries started (under the CSP, without eval).
  assert.equal(await page.evaluate(() => typeof (globalThis as { htmx?: unknown }).htmx), "object");
  assert.equal(
    await page.evaluate(() => typeof (globalThis as { Alpine?: unknown }).Alpine),
    "object",
  );
});

browserTest(
  "constants: search filters after the debounce, pushes ?q=, and history works",
  async (t) => {
    const { page } = t;
    await page.goto("/constants");
    const requests = countListRequests(page);
    const answered = page.waitForResponse((r) =>
      new URL(r.url()).searchParams.get("q") === "Portal"
    );
    // Typed key by key, faster than the 250 ms debounce: one request, for the whole word.
    await search(page).pressSequentially("Portal");
    await answered;
    await eventually(async () => assert.deepEqual(await names(page), ["Portal URL"]));
    assert.deepEqual(requests.urls.map((u) => new URLSearchParams(u).get("q")), ["Portal"]);
    assert.equal(queryOf(page).get("q"), "Portal");
    assert.equal(await pagerCount(page), "1–1 of 1");

    // A search that matches nothing says so.
    await search(page).fill("no such constant");
    await eventually(async () =>
      assert.deepEqual(await names(page), ["No constant matches this search."])
    );
    assert.equal(queryOf(page).get("q"), "no such constant");

    // Back restores the previous list state (htmx asks the server: the history cache is off).
    await page.goBack();
    await eventually(async () => assert.deepEqual(await names(page), ["Portal URL"]));
    assert.equal(queryOf(page).get("q"), "Portal");
    await page.goBack();
    await eventually(async () => assert.deepEqual(await names(page), DEMO_NAMES));
    assert.equal(queryOf(page).get("q"), null);
    await page.goForward();
    await eventually(async () => assert.deepEqual(await names(page), ["Portal URL"]));

    // Reloading the pushed URL renders the same state from the server.
    await page.reload();
    assert.deepEqual(await names(page), ["Portal URL"]);
    assert.equal(await search(page).inputValue(), "Portal");

    // The Search button (and Enter) search too.
    await search(page).fill("");
    await page.getByRole("button", { name: "Search" }).click();
    await eventually(async () => assert.deepEqual(await names(page), DEMO_NAMES));
    await search(page).fill("retries");
    await search(page).press("Enter");
    await eventually(async () => assert.deepEqual(await names(page), ["Max retries"]));
    assert.equal(queryOf(page).get("q"), "retries");
  },
);

browserTest("constants: clicking a sort header sorts and changes the URL", async (t) => {
  const { page } = t;
  await page.goto("/constants");
  assert.equal(await header(page, "Name").locator("..").getAttribute("aria-sort"), "ascending");

  await header(page, "Value").click();
  await page.waitForURL((url) => url.searchParams.get("sort") === "value");
  await eventually(async () => assert.equal((await values(page))[0], "3"));
  assert.equal((await names(page)).at(-1), "Working hours");
  assert.equal(await header(page, "Value").locator("..").getAttribute("aria-sort"), "ascending");
  assert.equal(queryOf(page).get("dir"), null);

  await header(page, "Value").click();
  await page.waitForURL((url) => url.searchParams.get("dir") === "desc");
  await eventually(async () => assert.equal((await names(page))[0], "Working hours"));
  assert.equal((await names(page)).at(-1), "Max retries");
  assert.equal(await header(page, "Value").locator("..").getAttribute("aria-sort"), "descending");
  assert.equal(queryOf(page).get("sort"), "value");

  // Name descending, then a search keeps the sort (hidden fields of the search form).
  await header(page, "Name").click();
  await page.waitForURL((url) => url.searchParams.get("sort") === null);
  await header(page, "Name").click();
  await page.waitForURL((url) => url.searchParams.get("dir") === "desc");
  await eventually(async () => assert.deepEqual(await names(page), DEMO_NAMES.toReversed()));
  await search(page).fill("o");
  await page.waitForURL((url) => url.searchParams.get("q") === "o");
  await eventually(async () => {
    const shown = await names(page);
    assert.deepEqual(shown, [...shown].sort().reverse());
    assert.ok(shown.length > 1 && shown.length < DEMO_NAMES.length, shown.join(", "));
  });
  assert.equal(queryOf(page).get("dir"), "desc");
});

browserTest("constants: paging and page size links work and keep the search", async (t) => {
  const { page } = t;
  await addBatch(page, t.db);
  assert.equal(await pagerCount(page), "1–25 of 36");
  const first = await names(page);
  assert.equal(first.length, 25);
  assert.equal(first[0], "Batch 01");

  await page.getByRole("link", { name: "Next →" }).click();
  await page.waitForURL((url) => url.searchParams.get("page") === "2");
  await eventually(async () => assert.equal(await pagerCount(page), "26–36 of 36"));
  const second = await names(page);
  assert.equal(second.length, 11);
  assert.equal(second[0], "Batch 26");
  assert.equal(second.at(-1), "Working hours");
  assert.ok(await page.locator("#constants-table .pager .disabled", { hasText: "Next" }).count());

  await page.getByRole("link", { name: "← Previous" }).click();
  await page.waitForURL((url) => url.searchParams.get("page") === null);
  await eventually(async () => assert.deepEqual(await names(page), first));

  await page.getByRole("link", { name: "Show 50 rows" }).click();
  await page.waitForURL((url) => url.searchParams.get("size") === "50");
  await eventually(async () => assert.equal((await names(page)).length, 36));
  assert.equal(await pagerCount(page), "1–36 of 36");
  assert.equal(
    await page.locator("#constants-table .sizes [aria-current]").textContent(),
    "50",
  );
  await page.reload();
  assert.equal((await names(page)).length, 36);

  // A search with paging: the pager links carry q, and the search keeps the page size.
  await page.getByRole("link", { name: "Show 25 rows" }).click();
  await page.waitForURL((url) => url.searchParams.get("size") === null);
  await search(page).fill("Batch");
  await page.waitForURL((url) => url.searchParams.get("q") === "Batch");
  await eventually(async () => assert.equal(await pagerCount(page), "1–25 of 30"));
  await page.getByRole("link", { name: "Next →" }).click();
  await page.waitForURL((url) => url.searchParams.get("page") === "2");
  await eventually(async () =>
    assert.deepEqual(await names(page), [
      "Batch 26",
      "Batch 27",
      "Batch 28",
      "Batch 29",
      "Batch 30",
    ])
  );
  assert.equal(queryOf(page).get("q"), "Batch");
});

browserTest("constants: the form checks input inline and creates a constant", async (t) => {
  const { page, db } = t;
  t.allow(/status of 422 \(Unprocessable Entity\)/); // Chromium logs every 4xx answer; these 422s are the point.
  await page.goto("/constants");
  const writes = countWrites(page);

  await page.getByRole("link", { name: "New constant" }).click();
  const form = page.locator("#editor form#constant-form");
  await form.waitFor();
  assert.equal(await form.locator("h2").textContent(), "New constant");
  assert.equal(new URL(page.url()).pathname, "/constants/new", "the open panel has its URL");

  // Empty: the browser's own check stops it; nothing is sent.
  await form.getByRole("button", { name: "Create" }).click();
  assert.equal(
    await page.locator("#constant-name").evaluate((el) =>
      (el as unknown as { validity: { valueMissing: boolean } }).validity.valueMissing
    ),
    true,
  );
  assert.equal(writes(), 0);

  // Blank (spaces): the server's message sits next to the field; nothing is written.
  await page.locator("#constant-name").fill("   ");
  await page.locator("#constant-value").fill("   ");
  await form.getByRole("button", { name: "Create" }).click();
  const nameError = page.locator("#constant-name-error");
  await nameError.waitFor();
  assert.equal(await nameError.textContent(), "Name is required.");
  assert.equal(await page.locator("#constant-value-error").textContent(), "Value is required.");
  assert.equal(await page.locator("#constant-name").getAttribute("aria-invalid"), "true");
  assert.match(
    (await page.locator("#constant-name").getAttribute("aria-describedby")) ?? "",
    /constant-name-error/,
  );
  assert.equal(writes(), 1);
  assert.deepEqual(await names(page), DEMO_NAMES);
  const [{ total }] = await db.query<{ total: number }>("SELECT COUNT(*) AS total FROM Constants");
  assert.equal(Number(total), 6);

  // A taken name.
  await page.locator("#constant-name").fill("Portal URL");
  await page.locator("#constant-value").fill("https://evil.example");
  await form.getByRole("button", { name: "Create" }).click();
  await eventually(async () =>
    assert.equal(
      await nameError.textContent(),
      "A constant named “Portal URL” already exists: edit it instead.",
    )
  );
  assert.equal((await getConstant(db, "Portal URL"))?.value, "https://portal.example.org/login");

  // Valid: the editor closes, a flash says so, and the list with the row comes in the same
  // answer: the page asks for nothing more.
  const lists = countListRequests(page);
  await page.locator("#constant-name").fill("Timeout seconds");
  await page.locator("#constant-value").fill("45");
  await form.getByRole("button", { name: "Create" }).click();
  await flash(page).waitFor();
  assert.equal(await flash(page).textContent(), "Constant “Timeout seconds” created.");
  await eventually(async () =>
    assert.deepEqual(await names(page), [...DEMO_NAMES, "Timeout seconds"].sort())
  );
  assert.equal(await row(page, "Timeout seconds").locator("td:nth-child(2)").textContent(), "45");
  assert.equal(await page.locator("#editor form").count(), 0);
  assert.deepEqual(lists.urls, [], "no second request for the list");
  assert.equal((await getConstant(db, "Timeout seconds"))?.value, "45");

  // Cancel closes a form without sending anything.
  const before = writes();
  await page.getByRole("link", { name: "New constant" }).click();
  await form.waitFor();
  await form.getByRole("button", { name: "Cancel" }).click();
  await form.waitFor({ state: "detached" });
  assert.equal(writes(), before);
});

browserTest("constants: Edit changes the value", async (t) => {
  const { page, db } = t;
  await page.goto("/constants");
  await row(page, "Max retries").getByRole("link", { name: "Edit" }).click();
  const form = page.locator("#editor form#constant-form");
  await form.waitFor();
  assert.equal(await form.locator("h2").textContent(), "Edit constant");
  const name = page.locator("#constant-name");
  assert.equal(await name.inputValue(), "Max retries");
  assert.equal(await name.getAttribute("readonly"), "");
  assert.equal(await page.locator("#constant-value").inputValue(), "3");

  await page.locator("#constant-value").fill("5");
  await form.getByRole("button", { name: "Save" }).click();
  await flash(page).waitFor();
  assert.equal(await flash(page).textContent(), "Constant “Max retries” saved.");
  await eventually(async () =>
    assert.equal(await row(page, "Max retries").locator("td:nth-child(2)").textContent(), "5")
  );
  assert.equal(await form.count(), 0);
  assert.equal((await getConstant(db, "Max retries"))?.value, "5");
});

browserTest("constants: Delete asks first; accepting removes the row", async (t) => {
  const { page, db } = t;
  await page.goto("/constants");
  const writes = countWrites(page);

  // Dismissed: nothing is sent.
  const dismissed = answerNextDialog(page, "dismiss");
  await row(page, "SAP system").getByRole("button", { name: "Delete" }).click();
  assert.equal(
    await dismissed,
    'confirm: Delete the constant "SAP system"? Robots that read it will fail.',
  );
  assert.equal(writes(), 0);
  assert.ok(await getConstant(db, "SAP system"));

  // Accepted: the row goes, a flash says so.
  const accepted = answerNextDialog(page, "accept");
  await row(page, "SAP system").getByRole("button", { name: "Delete" }).click();
  assert.match(await accepted, /^confirm: Delete the constant "SAP system"\?/);
  await flash(page).waitFor();
  assert.equal(await flash(page).textContent(), "Constant “SAP system” deleted.");
  await eventually(async () =>
    assert.deepEqual(await names(page), DEMO_NAMES.filter((n) => n !== "SAP system"))
  );
  assert.equal(writes(), 1);
  assert.equal(await getConstant(db, "SAP system"), null);
});

browserTest("constants: markup and quotes in names and values are shown as text", async (t) => {
  const { page, db } = t;
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    if (dialog.type() === "confirm") void dialog.accept();
    else void dialog.dismiss();
  });
  const name = `Quote "double" 'single' <b>bold</b> a/b`;
  const value = `<script>alert(1)</script> "double" 'single' <img src=x onerror=alert(2)> &amp;`;
  await page.goto("/constants");
  await page.getByRole("link", { name: "New constant" }).click();
  await page.locator("#constant-name").fill(name);
  await page.locator("#constant-value").fill(value);
  await page.locator("#constant-form").getByRole("button", { name: "Create" }).click();
  await flash(page).waitFor();
  assert.equal(await flash(page).textContent(), `Constant “${name}” created.`);
  await eventually(async () => assert.ok((await names(page)).includes(name)));

  const cells = row(page, name).locator("td");
  assert.equal(await cells.nth(0).textContent(), name);
  assert.equal(await cells.nth(1).textContent(), value);
  assert.equal(
    await page.locator("#constants-table script, #constants-table img, main b").count(),
    0,
  );
  assert.deepEqual(dialogs, []);
  assert.equal((await getConstant(db, name))?.value, value);

  // The editor gets the same text back, and the odd name survives the URL and the confirm.
  await row(page, name).getByRole("link", { name: "Edit" }).click();
  await page.locator("#constant-form").waitFor();
  assert.equal(await page.locator("#constant-name").inputValue(), name);
  assert.equal(await page.locator("#constant-value").inputValue(), value);
  await row(page, name).getByRole("button", { name: "Delete" }).click();
  await eventually(async () => assert.ok(!(await names(page)).includes(name)));
  assert.deepEqual(dialogs, [
    `confirm: Delete the constant "${name}"? Robots that read it will fail.`,
  ]);
  assert.equal(await getConstant(db, name), null);
});

browserTest(
  "constants: without JavaScript the list renders and the search is a plain GET",
  async (t) => {
    const context = await t.browser.newContext({ baseURL: t.base, javaScriptEnabled: false });
    const page = await context.newPage();
    t.watch(page);

    await page.goto("/constants?q=Portal");
    assert.deepEqual(await names(page), ["Portal URL"]);
    assert.equal(await search(page).inputValue(), "Portal");
    assert.equal(await pagerCount(page), "1–1 of 1");

    await search(page).fill("retries");
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get("q") === "retries"),
      search(page).press("Enter"),
    ]);
    assert.deepEqual(await names(page), ["Max retries"]);

    await search(page).fill("");
    await Promise.all([
      page.waitForURL((url) => url.searchParams.get("q") === ""),
      page.getByRole("button", { name: "Search" }).click(),
    ]);
    assert.deepEqual(await names(page), DEMO_NAMES);

    await Promise.all([
      page.waitForURL((url) => url.searchParams.get("dir") === "desc"),
      header(page, "Name").click(),
    ]);
    assert.deepEqual(await names(page), DEMO_NAMES.toReversed());
    await context.close();
  },
);
