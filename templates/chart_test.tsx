import assert from "node:assert/strict";
import { DoneFailedChart, niceTop } from "./chart.tsx";

Deno.test("the chart's axis fits its tallest bar, with whole numbers on its lines", () => {
  for (let max = 0; max <= 5_000; max++) {
    const top = niceTop(max);
    assert.ok(top >= max, `${max} → ${top}`);
    assert.ok(Number.isInteger(top / 2), `${max} → ${top}: the middle line is ${top / 2}`);
    if (max >= 10) assert.ok(top <= max * 1.25, `${max} → ${top}: the bars use too little of it`);
  }
  assert.equal(niceTop(65), 70);
});

Deno.test("the chart is drawn to its card's width and labels its axis to the top", () => {
  const days = [{ day: "2026-11-24", done: 65, failed: 3 }];
  const svg = String(<DoneFailedChart days={days} />);
  assert.match(svg, /width="100%"/);
  assert.match(svg, />70<\/text>/);
  assert.match(svg, />35<\/text>/);
  assert.doesNotMatch(svg, />100<\/text>/);
});
