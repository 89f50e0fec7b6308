/**
 * The Triggers and Schedulers pages in a real browser: one trigger of each type created through
 * the form, edited, paused and resumed, run now and deleted; a conflicting change; the live
 * refresh that leaves focus and open forms alone; the form's type switch and its messages.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import type { Db } from "../db/connection.ts";
import { browserTest, eventually } from "./browser.ts";

const row = (page: Page, name: string) =>
  page.locator("#triggers-table tbody tr").filter({
    has: page.locator("td:first-child", { hasText: name }),
  });
const cell = (page: Page, name: string, column: number) =>
  row(page, name).locator(`td:nth-child(${column})`);
const status = (page: Page, name: string) => cell(page, name, 3).locator(".badge");
const flash = (page: Page) => page.locator("#flash .flash");
const form = (page: Page) => page.locator("#editor form#trigger-form");

async function stored(db: Db, name: string) {
  const [found] = await db.query<Record<string, unknown>>(
    "SELECT * FROM Triggers WHERE trigger_name = ?",
    [name],
  );
  return found;
}

/** A `datetime-local` value `hours` from now. */
function inHours(hours: number): string {
  const d = new Date(Date.now() + hours * 3_600_000);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${
    pad(d.getMinutes())
  }`;
}

/** Fires the live tick at once (instead of waiting 10 s). */
async function tick(page: Page) {
  await page.evaluate('document.body.dispatchEvent(new CustomEvent("oo-tick"))');
}

async function expectFlash(page: Page, text: string) {
  await eventually(async () => assert.equal(await flash(page).last().textContent(), text));
}

const TYPES = [
  { type: "SCHEDULED", name: "E2E scheduled", runnable: true },
  { type: "SINGLE", name: "E2E single", runnable: true },
  { type: "QUEUE", name: "E2E queue", runnable: false },
] as const;

for (const { type, name, runnable } of TYPES) {
  browserTest(
    `triggers: a ${type} trigger is created, edited, paused, resumed, run and deleted`,
    async (t) => {
      const { page, db } = t;
      page.on("dialog", (dialog) => void dialog.accept());
      await page.goto("/triggers");

      // Create through the form; the type's own fields show as the type changes.
      await page.getByRole("link", { name: "New trigger" }).click();
      await form(page).waitFor();
      await page.selectOption("#trigger-type", type);
      await page.locator("#trigger-trigger_name").fill(name);
      await page.locator("#trigger-process_name").fill("E2E Process");
      await page.locator("#trigger-process_path").fill("https://git.example.org/rpa/e2e.git");
      await page.locator("#trigger-process_args").fill('{"dry_run": true}');
      await page.getByLabel("Git repository").check();
      await page.locator("#trigger-git_branch").fill("develop");
      await page.locator("#trigger-priority").fill("4");
      await page.locator("label.chip", { hasText: "rpa-vm-02" }).locator("input").check();
      await page.locator("#trigger-scheduler_whitelist").fill("new-vm");
      if (type === "SCHEDULED") {
        assert.equal(await page.locator("#trigger-queue_name").isVisible(), false);
        await page.locator("#trigger-cron_expr").fill("0 7 * * MON-FRI");
        await eventually(async () =>
          assert.match(
            (await page.locator("#cron-preview").textContent()) ?? "",
            /At 07:00, Monday through Friday/,
          )
        );
        assert.equal(await page.locator("#cron-preview li").count(), 5);
      } else if (type === "SINGLE") {
        assert.equal(await page.locator("#trigger-cron_expr").isVisible(), false);
        await page.locator("#trigger-single-next_run").fill(inHours(3));
      } else {
        assert.equal(await page.locator("#trigger-single-next_run").isVisible(), false);
        await page.locator("#trigger-queue_name").fill("Intake.Cases");
        await page.locator("#trigger-min_batch_size").fill("5");
      }
      await form(page).getByRole("button", { name: "Create" }).click();
      await expectFlash(page, `Trigger “${name}” created.`);
      await eventually(async () => assert.equal(await status(page, name).textContent(), "Idle"));
      assert.equal(await form(page).count(), 0);
      const created = await stored(db, name);
      assert.equal(created.type, type);
      assert.equal(created.process_status, "IDLE");
      assert.equal(created.scheduler_whitelist, '["rpa-vm-02", "new-vm"]');
      assert.equal(created.git_branch, "develop");
      assert.equal(created.process_args, '{"dry_run": true}');

      // Edit: the form holds the stored values; the type is fixed.
      await row(page, name).getByRole("link", { name: "Edit" }).click();
      await form(page).waitFor();
      assert.equal(await page.locator("#trigger-priority").inputValue(), "4");
      assert.equal(await page.locator("#trigger-type").count(), 0);
      assert.equal(
        await page.locator("label.chip", { hasText: "new-vm" }).locator("input").isChecked(),
        true,
      );
      await page.locator("#trigger-priority").fill("8");
      await form(page).getByRole("button", { name: "Save" }).click();
      await expectFlash(page, `Trigger “${name}” saved.`);
      await eventually(async () => assert.equal(await cell(page, name, 5).textContent(), "8"));
      assert.equal(Number((await stored(db, name)).priority), 8);

      // Pause and resume: one toggle.
      await row(page, name).getByRole("button", { name: "Pause" }).click();
      await eventually(async () => assert.equal(await status(page, name).textContent(), "Paused"));
      assert.equal((await stored(db, name)).process_status, "PAUSED");
      await row(page, name).getByRole("button", { name: "Resume" }).click();
      await eventually(async () => assert.equal(await status(page, name).textContent(), "Idle"));
      assert.equal((await stored(db, name)).process_status, "IDLE");

      // Run now (single and scheduled): next_run becomes now.
      const runNow = row(page, name).getByRole("button", { name: "Run now" });
      if (runnable) {
        await runNow.click();
        await expectFlash(
          page,
          `Trigger “${name}” set to run now: a scheduler starts it at its next check.`,
        );
        const [{ next_run }] = await db.query<{ next_run: string }>(
          `SELECT next_run FROM ${
            type === "SINGLE" ? "Single" : "Scheduled"
          }_Triggers WHERE id = ?`,
          [created.id as string],
        );
        assert.ok(Date.now() - new Date(next_run.replace(" ", "T")).getTime() < 10_000, next_run);
        await eventually(async () =>
          assert.match((await cell(page, name, 7).textContent()) ?? "", /just now/)
        );
      } else {
        assert.equal(await runNow.count(), 0);
      }

      // Delete, after the confirm.
      await row(page, name).getByRole("button", { name: "Delete" }).click();
      await expectFlash(page, `Trigger “${name}” deleted.`);
      await eventually(async () => assert.equal(await row(page, name).count(), 0));
      assert.equal(await stored(db, name), undefined);
    },
  );
}

browserTest(
  "triggers: a change made meanwhile by someone else re-renders the row and says so",
  async (t) => {
    const { page, db } = t;
    t.allow(/status of 409 \(Conflict\)/); // Chromium logs every 4xx answer; this 409 is the point.
    await page.goto("/triggers");
    assert.equal(await status(page, "Nightly invoices").textContent(), "Idle");
    // The scheduler starts it while the page still shows Idle.
    await db.run("UPDATE Triggers SET process_status = 'RUNNING' WHERE trigger_name = ?", [
      "Nightly invoices",
    ]);
    await row(page, "Nightly invoices").getByRole("button", { name: "Pause" }).click();
    await eventually(async () =>
      assert.equal(await status(page, "Nightly invoices").textContent(), "Running")
    );
    assert.equal(
      await cell(page, "Nightly invoices", 3).locator(".row-note").textContent(),
      "Someone else changed “Nightly invoices” first: it is now Running. Nothing was changed.",
    );
    assert.equal((await stored(db, "Nightly invoices")).process_status, "RUNNING");
    // The row now offers what fits Running: pause (to Pausing) and kill.
    assert.equal(
      await row(page, "Nightly invoices").getByRole("button", { name: "Kill" }).count(),
      1,
    );
  },
);

browserTest(
  "triggers: the live refresh updates the list but leaves focus and open forms alone",
  async (t) => {
    const { page, db } = t;
    await page.goto("/triggers");
    const change = (value: string) =>
      db.run("UPDATE Triggers SET process_status = ? WHERE trigger_name = 'Weekly report'", [
        value,
      ]);

    await change("IDLE");
    await tick(page);
    await eventually(async () =>
      assert.equal(await status(page, "Weekly report").textContent(), "Idle")
    );

    // Focus inside the table: the tick leaves it as it is.
    await row(page, "Case intake").getByRole("button", { name: "Pause" }).focus();
    await change("FAILED");
    const requests: string[] = [];
    page.on("request", (r) => requests.push(r.url()));
    await tick(page);
    await page.waitForTimeout(300);
    assert.deepEqual(requests.filter((u) => new URL(u).pathname === "/triggers"), []);
    assert.equal(await status(page, "Weekly report").textContent(), "Idle");
    assert.equal(
      await page.evaluate("document.activeElement?.textContent"),
      "Pause",
      "the focus stays where it was",
    );

    // An open form (outside the table) keeps what was typed while the table refreshes.
    await page.getByRole("link", { name: "New trigger" }).click();
    await form(page).waitFor();
    await page.locator("#trigger-trigger_name").fill("Half typed");
    await tick(page);
    await eventually(async () =>
      assert.equal(await status(page, "Weekly report").textContent(), "Failed")
    );
    assert.equal(await page.locator("#trigger-trigger_name").inputValue(), "Half typed");
    assert.equal(
      await page.evaluate("document.activeElement?.id"),
      "trigger-trigger_name",
    );
  },
);

browserTest(
  "triggers: the form says what is wrong next to the field and writes nothing",
  async (t) => {
    const { page, db } = t;
    t.allow(/status of 422 \(Unprocessable Entity\)/); // These 422s are the point.
    await page.goto("/triggers");
    const [{ n: before }] = await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM Triggers");
    await page.getByRole("link", { name: "New trigger" }).click();
    await form(page).waitFor();
    await page.locator("#trigger-trigger_name").fill("Bad one");
    await page.locator("#trigger-process_name").fill("P");
    await page.locator("#trigger-process_path").fill("C:\\p");

    // The cron preview says why while typing, and so does the submit.
    await page.locator("#trigger-cron_expr").fill("0 0 * * * *");
    await eventually(async () =>
      assert.match(
        (await page.locator("#cron-preview").textContent()) ?? "",
        /a seconds field is not supported/,
      )
    );
    await form(page).getByRole("button", { name: "Create" }).click();
    await eventually(async () =>
      assert.match(
        (await page.locator("#trigger-cron_expr-error").textContent()) ?? "",
        /Cannot parse cron expression: expected 5 fields .*, got 6/,
      )
    );

    // A single trigger in the past asks to confirm.
    await page.selectOption("#trigger-type", "SINGLE");
    await page.locator("#trigger-single-next_run").fill("2020-01-01T10:00");
    await form(page).getByRole("button", { name: "Create" }).click();
    await eventually(async () =>
      assert.match(
        (await page.locator("#trigger-single-next_run-error").textContent()) ?? "",
        /This time has passed/,
      )
    );
    assert.equal(await page.locator("#trigger-single-next_run").isVisible(), true);
    assert.equal(await page.locator("#trigger-cron_expr").isVisible(), false);
    const [{ n: after }] = await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM Triggers");
    assert.equal(after, before);

    await page.getByLabel("Run at once").check();
    await form(page).getByRole("button", { name: "Create" }).click();
    await expectFlash(page, "Trigger “Bad one” created.");
    assert.equal((await stored(db, "Bad one")).type, "SINGLE");
  },
);

browserTest(
  "triggers: the detail view acts too; a finished single trigger runs again",
  async (t) => {
    const { page, db } = t;
    await page.goto("/triggers");
    await row(page, "Migration run").getByRole("link", { name: "Migration run" }).click();
    const detail = page.locator("#editor #trigger-detail");
    await detail.waitFor();
    assert.match((await detail.textContent()) ?? "", /Done/);
    await detail.getByRole("link", { name: "Run again…" }).click();
    const again = page.locator("#editor #run-again-form");
    await again.waitFor();
    await page.locator("#again-next_run").fill(inHours(2));
    await again.getByRole("button", { name: "Run again" }).click();
    await detail.waitFor();
    await eventually(async () => assert.match((await detail.textContent()) ?? "", /Idle/));
    await eventually(async () =>
      assert.equal(await status(page, "Migration run").textContent(), "Idle")
    );
    assert.equal((await stored(db, "Migration run")).process_status, "IDLE");

    await detail.getByRole("button", { name: "Pause" }).click();
    await eventually(async () => assert.match((await detail.textContent()) ?? "", /Paused/));
    await eventually(async () =>
      assert.equal(await status(page, "Migration run").textContent(), "Paused")
    );
  },
);

browserTest("schedulers: the page lists every machine with its state", async (t) => {
  const { page } = t;
  await page.goto("/schedulers");
  const states = await page.locator("#schedulers-table tbody td:nth-child(2)").allTextContents();
  assert.deepEqual(states, ["Online", "Stale", "Offline"]);
  assert.match(
    (await page.locator("#schedulers-table tbody tr").nth(1).textContent()) ?? "",
    /Citizen letters/,
  );
  await tick(page);
  await page.waitForTimeout(200);
  assert.equal(await page.locator("#schedulers-table tbody tr").count(), 3);
});

browserTest(
  "triggers: a re-rendered form keeps no inline style (no CSP report), even from a resized field",
  async (t) => {
    const { page } = t;
    t.allow(/status of 422 \(Unprocessable Entity\)/); // The 422 is the point.
    await page.goto("/triggers");
    await page.getByRole("link", { name: "New trigger" }).click();
    await form(page).waitFor();
    await page.locator("#trigger-trigger_name").fill("Half done");
    // A user drags a field's corner: the browser sets its size as a style (allowed by the CSP).
    await page.evaluate(`
      document.getElementById("trigger-process_args").style.height = "120px";
      document.getElementById("trigger-trigger_name").style.width = "300px";
      document.getElementById("trigger-form").noValidate = true;
    `);
    await form(page).getByRole("button", { name: "Create" }).click();
    await eventually(async () =>
      assert.equal(await page.locator("#trigger-form .field-error").first().isVisible(), true)
    );
    await page.waitForTimeout(200); // past htmx's settle delay
  },
);
