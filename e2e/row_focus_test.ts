/**
 * Keyboard use of row actions: after pause, resume, run now or delete on the triggers, constants
 * and credentials tables, the focus is back in the same row (or, after a delete, in the row that
 * took its place), never on `<body>`, so the next Tab goes on from there.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, eventually } from "./browser.ts";

/** The row names of a table, in order. */
async function names(page: Page, table: string): Promise<string[]> {
  const cells = page.locator(`#${table} tbody tr td:first-child`);
  return (await cells.allTextContents()).map((text) => text.trim());
}

/** Where the focus is: the first cell of its row, and its own text. */
async function focused(page: Page): Promise<{ row: string | null; text: string | null }> {
  return await page.evaluate(`(() => {
    const active = document.activeElement;
    const row = active?.closest("tr")?.querySelector("td")?.textContent?.trim() ?? null;
    return { row, text: active === document.body ? "<body>" : active?.textContent?.trim() ?? null };
  })()`);
}

/** Focuses a row's button and presses Enter, as a keyboard user does. */
async function press(page: Page, table: string, name: string, button: string) {
  const row = page.locator(`#${table} tbody tr`).filter({
    has: page.locator("td:first-child", { hasText: name }),
  });
  await row.getByRole("button", { name: button, exact: true }).focus();
  await page.keyboard.press("Enter");
}

browserTest(
  "triggers: the focus stays in the row after pause, resume, run now and delete",
  async (t) => {
    const { page } = t;
    page.on("dialog", (dialog) => void dialog.accept());
    await page.goto("/triggers");

    await press(page, "triggers-table", "Nightly invoices", "Pause");
    await eventually(async () =>
      assert.deepEqual(await focused(page), { row: "Nightly invoices", text: "Resume" })
    );
    await page.keyboard.press("Enter");
    await eventually(async () =>
      assert.deepEqual(await focused(page), { row: "Nightly invoices", text: "Pause" })
    );

    await press(page, "triggers-table", "One-off cleanup", "Run now");
    await eventually(async () => assert.equal((await focused(page)).row, "One-off cleanup"));

    const before = await names(page, "triggers-table");
    const next = before[before.indexOf("Migration run") + 1];
    await press(page, "triggers-table", "Migration run", "Delete");
    await eventually(async () => {
      assert.ok(!(await names(page, "triggers-table")).includes("Migration run"));
      assert.equal((await focused(page)).row, next);
    });
    // The focus holds through the table's own reload after the change.
    await page.waitForTimeout(300);
    assert.equal((await focused(page)).row, next);
  },
);

for (const [table, name] of [["constants-table", "Max retries"], ["credentials-table", "Mail"]]) {
  const area = table.replace("-table", "");
  browserTest(`${area}: after a delete the focus is on the row that took its place`, async (t) => {
    const { page } = t;
    page.on("dialog", (dialog) => void dialog.accept());
    await page.goto(`/${area}`);
    const before = await names(page, table);
    const next = before[before.indexOf(name) + 1] ?? before[before.indexOf(name) - 1];
    await press(page, table, name, "Delete");
    await eventually(async () => {
      assert.ok(!(await names(page, table)).includes(name));
      assert.equal((await focused(page)).row, next);
    });
    await page.waitForTimeout(300);
    assert.equal((await focused(page)).row, next);
  });
}
