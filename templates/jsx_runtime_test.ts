import assert from "node:assert/strict";
import { raw } from "hono/html";
import {
  jsx as honoJsx,
  jsxAttr as honoJsxAttr,
  jsxTemplate as honoJsxTemplate,
} from "hono/jsx/jsx-runtime";
import { jsx, jsxAttr, jsxTemplate } from "./jsx_runtime.ts";

/** `<p …>…</p>` with one attribute and one child, as a precompiled template makes it. */
function element(
  runtime: { template: typeof jsxTemplate; attr: typeof jsxAttr },
  attribute: [string, unknown],
  child: unknown,
): unknown {
  const strings = Object.assign(["<p ", ">", "</p>"], { raw: ["<p ", ">", "</p>"] });
  return runtime.template(strings, runtime.attr(...attribute), child);
}

const OURS = { template: jsxTemplate, attr: jsxAttr, jsx };
const HONOS = {
  template: honoJsxTemplate as unknown as typeof jsxTemplate,
  attr: honoJsxAttr as unknown as typeof jsxAttr,
  jsx: honoJsx as unknown as typeof jsx,
};

/** The values a template meets, each made by the runtime under test where it is markup. */
function children(runtime: typeof OURS): unknown[] {
  const bold = (text: unknown) => element(runtime, ["class", "b"], text);
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
    ...components(runtime, bold),
    Promise.resolve(bold("later")),
    raw("<i>with a callback</i>", [() => Promise.resolve("")]),
    new Date(0),
  ];
}

/** Components' elements, as the templates make them with `jsx`. */
function components(runtime: typeof OURS, bold: (text: unknown) => unknown): unknown[] {
  const echo = ({ children }: { children?: unknown }) =>
    bold(Array.isArray(children) ? `a list of ${children.length}` : children);
  return [
    runtime.jsx(() => bold("a component"), {}),
    runtime.jsx(() => bold("no props"), null),
    runtime.jsx(echo, { children: ["the one child of a list"] }),
    runtime.jsx(echo, { children: ["two", "children"] }),
    runtime.jsx(echo, { children: runtime.jsx(echo, { children: `<nested> & "escaped"` }) }),
    runtime.jsx(() => `a <string> & "quotes"`, {}),
    runtime.jsx(() => 42, {}),
    runtime.jsx(() => null, {}),
    runtime.jsx(() => [bold("a"), "<list>"], {}),
    runtime.jsx(() => Promise.resolve(bold("an async component")), {}),
    runtime.jsx("input", { type: "text", value: `"spread"`, children: [] }),
    runtime.jsx("b", { class: "x", children: [runtime.jsx(echo, { children: "inside" })] }),
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
    ["title", jsx(() => element(OURS, ["class", "x"], "a component's"), {})],
  ];
  const theirMarkup: [string, unknown][] = [
    ["title", element(HONOS, ["class", "x"], `"a" <b>`)],
    ["title", raw(`"raw" & kept`)],
    ["title", honoJsx(() => element(HONOS, ["class", "x"], "a component's"), {})],
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

Deno.test("a component is called when its element is rendered, and not before", async () => {
  const calls: string[] = [];
  const Component = ({ name }: { name?: unknown }) => {
    calls.push(String(name));
    return jsxTemplate(Object.assign(["<i>", "</i>"], { raw: [] }), name);
  };
  const page = jsx(Component, { name: "page" });
  jsx(Component, { name: "fragment" });
  assert.deepEqual(calls, []);
  assert.equal(String(await page), "<i>page</i>");
  assert.deepEqual(calls, ["page"]);
});
