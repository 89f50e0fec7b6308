import assert from "node:assert/strict";
import { MessageOptions } from "./search.tsx";

const found = (searchedTo?: string) => ({
  since: "2026-11-19 09:00:00.000000",
  messages: { rows: [], more: false, ...(searchedTo ? { searchedTo } : {}) },
});

Deno.test("the header's messages say how far back a search that stopped at its slice read", async () => {
  const stopped =
    await (<MessageOptions q="cpr" found={found("2026-11-20 06:36:40.000000")} limit={5} />)
      .toString();
  assert.match(
    stopped,
    /No log message back to 2026-11-20 06:36:40 contains &ldquo;cpr&rdquo;; the results page searches on\./,
  );
  const whole = await (<MessageOptions q="cpr" found={found()} limit={5} />).toString();
  assert.match(whole, /No log message of the last 24 hours contains &ldquo;cpr&rdquo;\./);
});
