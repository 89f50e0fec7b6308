/**
 * The Credentials and Settings pages in a real browser: create with a length hint, edit keeping
 * the password, reveal (wrong key, right key, copy, hidden after 30 s, key never kept), delete,
 * and generating a new key.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { AUDIT_PROCESS } from "../db/audit.ts";
import { getCredential } from "../db/credentials.ts";
import { DEMO_KEY } from "../lib/config.ts";
import { generateKey } from "../lib/fernet.ts";
import { answerNextDialog, browserTest, columnTexts, eventually } from "./browser.ts";

const names = (page: Page) => columnTexts(page, "credentials-table", 1);
const row = (page: Page, name: string) =>
  page.locator("#credentials-table tbody tr").filter({
    has: page.locator("td:first-child", { hasText: name }),
  });
const flash = (page: Page) => page.locator("#flash .flash");

/** What the page keeps between requests: local and session storage, and cookies. */
async function keptByThePage(page: Page): Promise<string> {
  const storage = await page.evaluate(() => {
    const dump = (store: Storage) =>
      Array.from(
        { length: store.length },
        (_, i) => `${store.key(i)}=${store.getItem(store.key(i)!)}`,
      );
    return [...dump(localStorage), ...dump(sessionStorage)].join("\n");
  });
  return `${storage}\n${JSON.stringify(await page.context().cookies())}`;
}

async function openReveal(page: Page, name: string) {
  await row(page, name).getByRole("link", { name: "Reveal" }).click();
  const form = page.locator("#editor form#reveal-form");
  await form.waitFor();
  assert.equal(await form.locator("h2").textContent(), `Reveal the password of “${name}”`);
  return form;
}

async function submitKey(page: Page, key: string) {
  await page.locator("#reveal-key").fill(key);
  await page.locator("#reveal-form").getByRole("button", { name: "Reveal" }).click();
}

browserTest(
  "credentials: create lists a length hint; blank password on edit keeps it; delete",
  async (t) => {
    const { page, db } = t;
    await page.goto("/credentials");
    assert.deepEqual(await names(page), ["Mail", "Portal login", "SAP"]);

    await page.getByRole("link", { name: "New credential" }).click();
    const form = page.locator("#editor form#credential-form");
    await form.waitFor();
    await page.locator("#credential-name").fill("Archive");
    await page.locator("#credential-username").fill("svc_archive");
    await page.locator("#credential-password").fill("hunter2!");
    await form.getByRole("button", { name: "Create" }).click();
    await flash(page).waitFor();
    assert.equal(await flash(page).textContent(), "Credential “Archive” created.");
    await eventually(async () =>
      assert.deepEqual(await names(page), ["Archive", "Mail", "Portal login", "SAP"])
    );
    const cells = row(page, "Archive").locator("td");
    assert.equal(await cells.nth(1).textContent(), "svc_archive");
    assert.equal((await cells.nth(2).textContent())?.trim(), "0–15 bytes long");
    assert.ok(!(await page.content()).includes("hunter2!"), "the password is on the page");
    const created = await getCredential(db, "Archive");
    assert.ok(created && created.password.startsWith("gAAAAA"), "not stored as a Fernet token");

    // Edit: the password field is never pre-filled; left blank, the stored token stays.
    await row(page, "Archive").getByRole("link", { name: "Edit" }).click();
    await form.waitFor();
    assert.equal(await form.locator("h2").textContent(), "Edit credential");
    assert.equal(await page.locator("#credential-password").inputValue(), "");
    assert.equal(await page.locator("#credential-name").getAttribute("readonly"), "");
    await page.locator("#credential-username").fill("svc_archive2");
    await form.getByRole("button", { name: "Save" }).click();
    await eventually(async () =>
      assert.equal(await flash(page).textContent(), "Credential “Archive” saved.")
    );
    await eventually(async () => assert.equal(await cells.nth(1).textContent(), "svc_archive2"));
    assert.equal((await getCredential(db, "Archive"))?.password, created.password);

    // Reveal shows the old password.
    await openReveal(page, "Archive");
    await submitKey(page, DEMO_KEY);
    const secret = page.locator("#editor .revealed code.secret");
    await secret.waitFor();
    assert.equal(await secret.textContent(), "hunter2!");

    // Delete, after the confirmation.
    const asked = answerNextDialog(page, "accept");
    await row(page, "Archive").getByRole("button", { name: "Delete" }).click();
    assert.equal(
      await asked,
      'confirm: Delete the credential "Archive"? Robots that use it will fail.',
    );
    await eventually(async () =>
      assert.equal(await flash(page).textContent(), "Credential “Archive” deleted.")
    );
    await eventually(async () =>
      assert.deepEqual(await names(page), ["Mail", "Portal login", "SAP"])
    );
    assert.equal(await getCredential(db, "Archive"), null);
  },
);

browserTest(
  "credentials: reveal checks the key, copies, hides after 30 s, keeps no key",
  async (t) => {
    const { page, context, db } = t;
    t.allow(/status of 422 \(Unprocessable Entity\)/); // the two wrong keys
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: t.base });
    await page.clock.install();
    await page.goto("/credentials");

    await openReveal(page, "SAP");
    const keyError = page.locator("#reveal-key-error");
    await submitKey(page, "not-a-key");
    await keyError.waitFor();
    assert.equal(
      await keyError.textContent(),
      "This is not a Fernet key: 44 characters of url-safe base64 ending in “=”.",
    );
    assert.equal(await page.locator("#reveal-key").getAttribute("aria-invalid"), "true");

    await submitKey(page, generateKey());
    await eventually(async () =>
      assert.equal(
        await keyError.textContent(),
        "This key did not encrypt this password (it was made with another key).",
      )
    );
    assert.equal(await page.locator("#editor .revealed").count(), 0);

    await submitKey(page, DEMO_KEY);
    const revealed = page.locator("#editor section.revealed");
    const secret = revealed.locator("code.secret");
    await secret.waitFor();
    assert.equal(await secret.textContent(), "correct horse battery staple");
    assert.equal(await revealed.locator("h2").textContent(), "Password of “SAP”");

    // The key is gone from the page and was never stored by it.
    assert.equal(await page.locator("#reveal-key").count(), 0);
    assert.ok(!(await keptByThePage(page)).includes(DEMO_KEY), "the page keeps the key");
    assert.ok(!(await page.content()).includes(DEMO_KEY), "the key is still in the page");

    // The reveal is in the audit trail, without the password.
    const audit = await db.query<{ log_message: string }>(
      "SELECT log_message FROM Logs WHERE process_name = ? AND log_message LIKE ?",
      [AUDIT_PROCESS, "%revealed%"],
    );
    assert.equal(audit.length, 1);
    assert.match(audit[0].log_message, /revealed the password of credential "SAP"/);
    assert.ok(!audit[0].log_message.includes("correct horse"));

    // Copy puts the password on the clipboard.
    const copy = revealed.locator(".secret-row button");
    assert.equal(await copy.textContent(), "Copy");
    await copy.click();
    await eventually(async () => assert.equal(await copy.textContent(), "Copied"));
    assert.equal(
      await page.evaluate(() =>
        (navigator as unknown as { clipboard: { readText(): Promise<string> } }).clipboard
          .readText()
      ),
      "correct horse battery staple",
    );

    // The countdown runs, and after 30 s the password leaves the page.
    await page.clock.runFor(5_000);
    await eventually(async () =>
      assert.match((await revealed.textContent()) ?? "", /Hidden again in 25 s/)
    );
    await page.clock.runFor("00:26");
    await eventually(async () =>
      assert.equal((await revealed.textContent())?.trim(), "Hidden again.")
    );
    assert.equal(await secret.count(), 0);
    assert.ok(!(await page.content()).includes("correct horse battery staple"));
    assert.ok(!(await keptByThePage(page)).includes(DEMO_KEY));
  },
);

browserTest("credentials: an empty password reveals as (empty)", async (t) => {
  const { page } = t;
  await page.goto("/credentials");
  await openReveal(page, "Mail");
  await submitKey(page, DEMO_KEY);
  const secret = page.locator("#editor .revealed code.secret");
  await secret.waitFor();
  assert.equal(await secret.textContent(), "(empty)");
  await page.locator("#editor .revealed").getByRole("button", { name: "Copy" }).waitFor();
});

browserTest("settings: Generate a new key shows a 44-character key", async (t) => {
  const { page } = t;
  await page.goto("/settings");
  assert.match(
    (await page.locator("main").textContent()) ?? "",
    /the demo key named in the README/,
  );
  await page.getByRole("button", { name: "Generate a new key" }).click();
  const key = page.locator("#new-key code.secret");
  await key.waitFor();
  const first = (await key.textContent()) ?? "";
  assert.equal(first.length, 44);
  assert.match(first, /^[A-Za-z0-9_-]{43}=$/);
  assert.notEqual(first, DEMO_KEY);
  await page.locator("#new-key").getByRole("button", { name: "Copy" }).waitFor();
  assert.ok(!(await keptByThePage(page)).includes(first), "the page keeps the new key");
});
