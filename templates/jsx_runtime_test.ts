import assert from "node:assert/strict";
import { raw } from "hono/html";
import { jsx, jsxAttr as honoJsxAttr, jsxTemplate as honoJsxTemplate } from "hono/jsx/jsx-runtime";
import { jsxAttr, jsxTemplate } from "./jsx_runtime.ts";

/** `<p …>…</p>` with one attribute and one child, as a precompiled template makes it. */
function element(
  runtime: { template: typeof jsxTemplate; attr: typeof jsxAttr },
  attribute: [string, unknown],
  child: unknown,
): unknown {
  const strings = Object.assign(["<p ", ">", "</p>"], { raw: ["<p ", ">", "</p>"] });
  return runtime.template(strings, runtime.attr(...attribute), child);
}

const OURS = { template: jsxTemplate, attr: jsxAttr };
const HONOS = {
  template: honoJsxTemplate as unknown as typeof jsxTemplate,
  attr: honoJsxAttr as unknown as typeof jsxAttr,
};

/** The values a template meets, each made by the runtime under test where it is markup. */
function children(runtime: typeof OURS): unknown[] {
  const bold = (text: string) => element(runtime, ["class", "b"], text);
  return [
    "plain",
    "",
    `<a href="x">Tom & 'Jerry'</a>`,
    0,
    -1.5,
    null,
    undefined,
    true,
    false,
    ["a", ["<b>", [1, null, bold("nested")]], false],
    ["before", Promise.resolve(bold("an awaited item")), "after"],
    bold(`"quoted" & <tagged>`),
    raw("<i>kept as it is</i>"),
    jsx(() => bold("a component") as never, {}),
    jsx(() => Promise.resolve(bold("an async component")) as never, {}),
    Promise.resolve(bold("later")),
    raw("<i>with a callback</i>", [() => Promise.resolve("")]),
    new Date(0),
  ];
}

const ATTRIBUTES: [string, unknown][] = [
  ["title", `say "hi" & <bye> 'now'`],
  ["data-key", ""],
  ["aria-label", "plain"],
  ["title", null],
  ["title", undefined],
  ["hidden", true],
  ["hidden", false],
  ["tabindex", 3],
  ["style", { color: "red", "font-weight": "bold" }],
  ["a b", "not a name"],
  ["ref", "x"],
];

Deno.test("the runtime's elements are Hono's byte for byte, for every kind of child", async () => {
  const ours = children(OURS);
  const honos = children(HONOS);
  for (let i = 0; i < ours.length; i++) {
    const [mine, theirs] = await Promise.all([
      element(OURS, ["id", "x"], ours[i]),
      element(HONOS, ["id", "x"], honos[i]),
    ]);
    assert.equal(String(mine), String(theirs), `child ${i}`);
  }
  // All of them at once, in one template.
  const many = (runtime: typeof OURS, values: unknown[]) =>
    runtime.template(
      Object.assign(values.map(() => "|").concat("|"), { raw: [] }),
      ...values,
    );
  assert.equal(String(await many(OURS, ours)), String(await many(HONOS, honos)));
});

Deno.test("the runtime's attributes are Hono's byte for byte, markup as a value escaped", async () => {
  const markup: [string, unknown][] = [
    ["title", element(OURS, ["class", "x"], `"a" <b>`)],
    ["title", raw(`"raw" & kept`)],
  ];
  const theirMarkup: [string, unknown][] = [
    ["title", element(HONOS, ["class", "x"], `"a" <b>`)],
    ["title", raw(`"raw" & kept`)],
  ];
  const ours = [...ATTRIBUTES, ...markup];
  const honos = [...ATTRIBUTES, ...theirMarkup];
  for (let i = 0; i < ours.length; i++) {
    const mine = String(await element(OURS, ours[i], "x"));
    assert.equal(mine, String(await element(HONOS, honos[i], "x")), `attribute ${ours[i][0]}`);
  }
  // A rendered element as an attribute's value cannot end the attribute.
  assert.equal(
    String(element(OURS, markup[0], "")),
    `<p title="&lt;p class=&quot;x&quot;&gt;&amp;quot;a&amp;quot; &amp;lt;b&amp;gt;&lt;/p&gt;"></p>`,
  );
});
