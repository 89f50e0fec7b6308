import assert from "node:assert/strict";
import { formatCount } from "./format.ts";

Deno.test("formatCount groups the digits by thousands as the English locale does", () => {
  const english = new Intl.NumberFormat("en");
  const numbers = [0, 7, 12, 123, 1_000, 1_234, 12_345, 123_456, 1_000_000, 9_999_999];
  for (const n of [...numbers, ...numbers.map((n) => -n - 1), Number.MAX_SAFE_INTEGER, 1.5, NaN]) {
    assert.equal(formatCount(n), english.format(n), String(n));
  }
  assert.equal(formatCount(1234567), "1,234,567");
});
