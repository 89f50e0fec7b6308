/**
 * A phone (390 px wide): no page scrolls sideways (a wide table scrolls inside its card), the
 * header keeps the user and the theme toggle on screen and leaves room for the page, and queue
 * rows stay short enough to read.
 */
import assert from "node:assert/strict";
import { browserTest } from "./browser.ts";

const PAGES = [
  "/dashboard",
  "/triggers",
  "/queues",
  "/queues/Intake.Cases",
  "/logs",
  "/logs/Case%20Intake",
  "/schedulers",
  "/constants",
  "/credentials",
  "/settings",
];

type Measure = {
  pageWidth: number;
  viewport: number;
  header: number;
  toggle: { left: number; right: number };
  user: { left: number; right: number };
  rows: number[];
};

browserTest("phone: no page scrolls sideways; the header fits; rows stay readable", async (t) => {
  const { page } = t;
  // Page after page: a request still under way (the icon, a live refresh) when the next page
  // opens is aborted by the navigation, which is not a problem of the page.
  t.allow(/^request failed: GET \S+: net::ERR_ABORTED$/);
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of PAGES) {
    await page.goto(path, { waitUntil: "networkidle" });
    const m = await page.evaluate(`(() => {
      const box = (el) => { const r = el.getBoundingClientRect(); return { left: r.left, right: r.right }; };
      return {
        pageWidth: document.documentElement.scrollWidth,
        viewport: innerWidth,
        header: document.querySelector("header.top").getBoundingClientRect().height,
        toggle: box(document.querySelector("header [aria-label='Toggle dark mode']")),
        user: box(document.querySelector("header .user")),
        rows: [...document.querySelectorAll("#elements-table tbody tr")].map((r) => r.getBoundingClientRect().height),
      };
    })()`) as Measure;
    assert.ok(m.pageWidth <= m.viewport, `${path}: the page is ${m.pageWidth} px wide`);
    for (const [name, box] of [["theme toggle", m.toggle], ["user", m.user]] as const) {
      assert.ok(box.left >= 0 && box.right <= m.viewport, `${path}: the ${name} is off screen`);
    }
    assert.ok(m.header <= 140, `${path}: the header takes ${m.header} px`);
    assert.ok(m.rows.every((h) => h <= 100), `${path}: rows ${m.rows.join(", ")} px tall`);
  }
});
