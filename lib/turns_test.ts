import assert from "node:assert/strict";
import { turn } from "./turns.ts";

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* the thread is taken, as by a query and its page */ }
}

Deno.test("a Worker's answer is taken in between two turns, not after every waiting one", async () => {
  const worker = new Worker(
    "data:text/javascript,self.onmessage = () => self.postMessage('answer')",
    { type: "module" },
  );
  try {
    // Started and answering before the views queue up.
    await new Promise((resolve) => {
      worker.onmessage = resolve;
      worker.postMessage("ask");
    });
    const order: string[] = [];
    const answered = new Promise<void>((resolve) => {
      worker.onmessage = () => {
        order.push("answer");
        resolve();
      };
    });
    const views = [0, 1, 2, 3, 4, 5].map(async (i) => {
      await turn();
      if (i === 0) worker.postMessage("ask");
      busy(20);
      order.push(`view ${i}`);
    });
    await Promise.all([...views, answered]);
    const at = order.indexOf("answer");
    assert.ok(at >= 1 && at <= 3, `the answer came after ${at} of six views: ${order}`);
    assert.deepEqual(
      order.filter((o) => o !== "answer"),
      [0, 1, 2, 3, 4, 5].map((i) => `view ${i}`),
    );
  } finally {
    worker.terminate();
  }
});
