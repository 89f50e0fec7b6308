/**
 * The browser test harness: each test gets the app served in-process over a fresh seeded SQLite
 * file, Debian's Chromium driven by `playwright-core`, and a fresh page whose console errors,
 * page errors, CSP violations, failed requests and 5xx answers are collected. A test passes only
 * when it finishes with none of those (unless it declared them with `allow`). Everything is torn
 * down, even when the test fails.
 *
 * Without `/usr/bin/chromium` the browser tests are skipped with a printed line, except under
 * `CI=true`, where a missing Chromium fails them.
 * @module
 */
import type { Browser, BrowserContext, BrowserType, Dialog, Page } from "playwright-core";
import type { Db } from "../db/connection.ts";
import { tempDatabase } from "../db/testing.ts";
import { DEMO_KEY, loadConfig } from "../lib/config.ts";
import { createApp } from "../routes/app.tsx";

/** Where Debian installs Chromium (`apt-get install -y chromium`). */
const CHROMIUM_PATH = "/usr/bin/chromium";

/** The flags every browser test launches Chromium with. */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** How long one Playwright action or wait may take before the test fails. */
const ACTION_TIMEOUT_MS = 5_000;

/** Loads playwright-core's Chromium driver, only when a browser test runs. */
async function loadChromium(): Promise<BrowserType> {
  return (await import("playwright-core")).chromium;
}

function chromiumInstalled(): boolean {
  try {
    return Deno.statSync(CHROMIUM_PATH).isFile;
  } catch {
    return false;
  }
}

const installed = chromiumInstalled();
const inCi = Deno.env.get("CI") === "true";

/** True when the browser tests are skipped (no Chromium, and not on CI). */
const skipBrowserTests = !installed && !inCi;

let skipNoticePrinted = false;

/** What a browser test works with. */
export type BrowserTestContext = {
  /** A fresh page in a fresh context, watched for problems. */
  page: Page;
  /** The page's context (for `clock`, permissions, cookies). */
  context: BrowserContext;
  browser: Browser;
  /** The app's database (seeded with the demo data). */
  db: Db;
  /** The server's origin, e.g. `http://127.0.0.1:41234`. */
  base: string;
  /** The absolute URL of an app path. */
  url(path: string): string;
  /** Watches another page (say, in a context with JavaScript disabled) for problems too. */
  watch(page: Page): void;
  /** Declares an expected console message (e.g. the browser's note on a deliberate 422). */
  allow(pattern: RegExp): void;
  /** The problems seen so far (not the allowed ones). */
  problems(): string[];
  /** Fails when any problem was seen so far. */
  assertNoProblems(): void;
};

/** Options of one browser test. */
export type BrowserTestOptions = {
  /** Seed the demo data (default true). */
  seed?: boolean;
};

function watchPage(page: Page, record: (problem: string) => void): void {
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(2 * ACTION_TIMEOUT_MS);
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "assert") {
      const where = message.location().url;
      record(`console.${message.type()}: ${message.text()}${where ? ` (${where})` : ""}`);
    }
  });
  page.on("pageerror", (error) => record(`page error: ${error.name}: ${error.message}`));
  page.on("requestfailed", (request) => {
    const failure = request.failure()?.errorText ?? "unknown failure";
    // The browser fetches the tab icon in the background and cancels it when the page goes away
    // (Back, a new URL) before it arrived; that is not a failure of the app.
    if (failure === "net::ERR_ABORTED" && new URL(request.url()).pathname.endsWith("/icon.svg")) {
      return;
    }
    record(`request failed: ${request.method()} ${request.url()}: ${failure}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 500) {
      record(`server error: ${response.status()} ${response.request().method()} ${response.url()}`);
    }
  });
}

/** Reports CSP violations as console errors too, with the directive (before any page script). */
const CSP_REPORTER = `
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("CSP violation: " + event.violatedDirective + " blocked " +
    (event.blockedURI || "inline code") + " at " + event.sourceFile + ":" + event.lineNumber);
});
`;

/**
 * Declares one browser test: `fn` runs with a served app and a fresh page, then the test fails
 * if any console error, page error, CSP violation, failed request or 5xx was seen.
 */
export function browserTest(
  name: string,
  fn: (t: BrowserTestContext) => Promise<void>,
  options: BrowserTestOptions = {},
): void {
  if (skipBrowserTests && !skipNoticePrinted) {
    skipNoticePrinted = true;
    console.log(
      `Skipping the browser tests: ${CHROMIUM_PATH} is missing (install it with ` +
        "`apt-get install -y chromium`; under CI=true a missing Chromium fails them).",
    );
  }
  Deno.test({
    name,
    ignore: skipBrowserTests,
    // Playwright keeps its pipe and timers to Chromium open across awaits; teardown is ours.
    sanitizeResources: false,
    sanitizeOps: false,
    fn: () => runBrowserTest(fn, options),
  });
}

async function runBrowserTest(
  fn: (t: BrowserTestContext) => Promise<void>,
  options: BrowserTestOptions,
): Promise<void> {
  if (!chromiumInstalled()) {
    throw new Error(
      `Cannot run the browser tests: ${CHROMIUM_PATH} is missing (apt-get install -y chromium).`,
    );
  }
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    const failures: unknown[] = [];
    for (const step of cleanups.reverse()) {
      try {
        await step();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length) throw new AggregateError(failures, "Cannot tear the browser test down");
  };
  try {
    // Reads on reader Workers, as the server (main.ts) runs.
    const temp = await tempDatabase({ seed: options.seed ?? true, readers: 1 });
    cleanups.push(() => temp.close());
    const config = loadConfig({ OpenOrchestratorKey: DEMO_KEY });
    const app = createApp({ db: temp.db, config });
    const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, app.fetch);
    cleanups.push(() => server.shutdown());
    const base = `http://127.0.0.1:${server.addr.port}`;

    const chromium = await loadChromium();
    const browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: CHROMIUM_ARGS,
      timeout: 30_000,
    });
    cleanups.push(() => browser.close());
    const context = await browser.newContext({ baseURL: base });
    await context.addInitScript(CSP_REPORTER);
    const page = await context.newPage();

    const seen: string[] = [];
    const allowed: RegExp[] = [];
    const record = (problem: string) => seen.push(problem);
    const problems = () => seen.filter((p) => !allowed.some((pattern) => pattern.test(p)));
    watchPage(page, record);

    const t: BrowserTestContext = {
      page,
      context,
      browser,
      db: temp.db,
      base,
      url: (path) => new URL(path, base).href,
      watch: (other) => watchPage(other, record),
      allow: (pattern) => void allowed.push(pattern),
      problems,
      assertNoProblems() {
        const found = problems();
        if (found.length) {
          throw new Error(`The browser reported ${found.length} problem(s):\n${found.join("\n")}`);
        }
      },
    };
    await fn(t);
    t.assertNoProblems();
  } catch (error) {
    try {
      await cleanup();
    } catch (teardown) {
      console.error(teardown);
    }
    throw error;
  }
  await cleanup();
}

/**
 * Retries `check` (an assertion) until it passes, then returns its value; after `timeoutMs`
 * the last failure is thrown. For states that arrive asynchronously (an htmx swap).
 */
export async function eventually<T>(
  check: () => Promise<T> | T,
  timeoutMs = ACTION_TIMEOUT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

/** The text of one column of a table fragment, row by row (1-based column). */
export async function columnTexts(page: Page, tableId: string, column = 1): Promise<string[]> {
  const cells = page.locator(`#${tableId} tbody tr td:nth-child(${column})`);
  return (await cells.allTextContents()).map((text) => text.trim());
}

/** The query parameters of the page's current URL. */
export function queryOf(page: Page): URLSearchParams {
  return new URL(page.url()).searchParams;
}

/**
 * Answers the next dialog (`confirm`, `alert`) and resolves to `"<type>: <message>"`; rejects
 * when none opens within the action timeout. Call it before the click that opens the dialog.
 */
export function answerNextDialog(page: Page, answer: "accept" | "dismiss"): Promise<string> {
  return new Promise((resolve, reject) => {
    const handler = (dialog: Dialog) => {
      clearTimeout(timer);
      resolve(`${dialog.type()}: ${dialog.message()}`);
      void (answer === "accept" ? dialog.accept() : dialog.dismiss());
    };
    const timer = setTimeout(() => {
      page.off("dialog", handler);
      reject(new Error(`No dialog opened within ${ACTION_TIMEOUT_MS} ms`));
    }, ACTION_TIMEOUT_MS);
    page.once("dialog", handler);
  });
}
