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
