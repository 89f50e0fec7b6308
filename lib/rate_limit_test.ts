import assert from "node:assert/strict";
import { RateLimiter } from "./rate_limit.ts";

Deno.test("at most N tries per key in a sliding window", () => {
  const limiter = new RateLimiter(5, 60_000);
  for (let i = 0; i < 5; i++) assert.equal(limiter.take("alice", 1000 + i), 0);
  assert.equal(limiter.take("alice", 2000), 59);
  assert.equal(limiter.take("bob", 2000), 0, "per key");
  assert.equal(limiter.take("alice", 61_000), 0, "the first try has left the window");
  assert.equal(limiter.take("alice", 61_001), 0);
  assert.equal(limiter.take("alice", 61_002), 0);
  assert.ok(limiter.take("alice", 61_002) > 0, "five tries inside the last minute");
});

Deno.test("refusals are reported at once, then at most once a window with their count", () => {
  const limiter = new RateLimiter(5, 60_000);
  assert.equal(limiter.refused("alice", 0), 1, "the first refusal is reported");
  for (let i = 1; i <= 40; i++) assert.equal(limiter.refused("alice", i * 1000), 0, `${i}`);
  assert.equal(limiter.refused("bob", 30_000), 1, "per key");
  assert.equal(limiter.refused("alice", 60_000), 41, "the 40 counted and this one");
  assert.equal(limiter.refused("alice", 60_001), 0);
  assert.equal(limiter.refused("alice", 200_000), 2);
});
