/**
 * The JSX runtime the templates compile to (`jsxImportSource` in `deno.json`): Hono's, with a
 * leaner `jsxTemplate`, `jsxAttr` and `jsx`, the functions a precompiled template calls for each
 * element, each attribute known only at render time, and each component. Hono's wrap each value
 * in an array, each result in a `String` object with three properties, and render each component
 * in a render context of its own; these join plain strings, return small objects, and render
 * without a context: a fifth fewer instructions on the server's thread over the heavy views
 * (design.md, "Architecture").
 *
 * They escape exactly as Hono does, and give Hono's own functions whatever they do not handle
 * here (a promise, markup with callbacks, an attribute value that is not text), so the HTML is
 * Hono's byte for byte: `jsx_runtime_test.ts` compares the two.
 * @module
 */
import {
  Fragment,
  jsx as honoJsx,
  jsxAttr as honoJsxAttr,
  jsxEscape,
  jsxs,
  jsxTemplate as honoJsxTemplate,
} from "hono/jsx/jsx-runtime";

export type { JSX } from "hono/jsx/jsx-runtime";
export { Fragment, jsxEscape, jsxs };

const SPECIAL = /[&<>'"]/;
const SPECIALS = /[&<>'"]/g;
const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  "'": "&#39;",
  '"': "&quot;",
};

/** `text` with `& < > ' "` escaped, as Hono escapes them. */
function escape(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIALS, (c) => ENTITIES[c]) : text;
}

/**
 * Escaped markup made here. Hono renders anything whose `isEscaped` is true as it is; as an
 * attribute's value it is escaped (it is not a `String`), as Hono escapes its own rendered JSX.
 */
class Markup {
  constructor(readonly text: string) {}
  get isEscaped(): true {
    return true;
  }
  toString(): string {
    return this.text;
  }
}

/** Said by {@linkcode markupOf} for a value Hono's own function must render. */
const HONO = Symbol("hono");

type Component = (props: Record<string, unknown>) => unknown;

/**
 * A component's element (`<Moment time={…} />`): the component is called when the element is
 * rendered, as Hono calls it (a handler makes a page's and a fragment's elements and renders one).
 */
class ComponentElement {
  constructor(readonly tag: Component, readonly props: Record<string, unknown>) {}
  get isEscaped(): true {
    return true;
  }
  /** Its markup, or {@linkcode HONO} when Hono must render it (a promise, callbacks). */
  markup(): string | typeof HONO {
    // Hono gives a component the one child of a list of one, not the list.
    const { children } = this.props;
    const props = Array.isArray(children) && children.length === 1
      ? { ...this.props, children: children[0] }
      : this.props;
    return markupOf(this.tag(props));
  }
  toString(): string | Promise<string> {
    const markup = this.markup();
    return markup === HONO ? honoJsx(this.tag, this.props).toString() : markup;
  }
}

/** A template's value as markup, or {@linkcode HONO}. */
function markupOf(value: unknown): string | typeof HONO {
  if (typeof value === "string") return escape(value);
  if (value instanceof Markup) return value.text;
  if (value instanceof ComponentElement) return value.markup();
  if (value === null || value === undefined || typeof value === "boolean") return "";
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) {
    let text = "";
    for (const item of value) {
      const markup = markupOf(item);
      if (markup === HONO) return HONO;
      text += markup;
    }
    return text;
  }
  const escaped = value as {
    isEscaped?: boolean;
    callbacks?: unknown[];
    toStringToBuffer?: (buffer: string[]) => void;
  };
  if (typeof value !== "object" || !escaped.isEscaped) return HONO;
  // An element Hono made (its attributes are spread, or a component returned it): rendered into a
  // buffer, as Hono renders one inside another. Its own `toString()` would open a render context
  // (for `useContext`, which the templates do not use): a store and an AsyncLocalStorage run.
  if (escaped.toStringToBuffer) {
    const buffer: string[] & { callbacks?: unknown[] } = [""];
    escaped.toStringToBuffer(buffer);
    return buffer.length === 1 && !buffer.callbacks ? buffer[0] : HONO;
  }
  // Hono's other markup (`raw`): as it is, unless it needs callbacks.
  return escaped.callbacks?.length ? HONO : value.toString();
}

/** An element of a precompiled template: `strings` joined by its values' markup. */
export function jsxTemplate(strings: TemplateStringsArray, ...values: unknown[]): unknown {
  let text = strings[0];
  for (let i = 0; i < values.length; i++) {
    const markup = markupOf(values[i]);
    if (markup === HONO) return honoJsxTemplate(strings, ...values);
    text += markup + strings[i + 1];
  }
  return new Markup(text);
}

const NO_ATTRIBUTE = new Markup("");
/** Attribute names Hono writes as they are (it checks the rest). */
const PLAIN_NAME = /^[\w.:-]+$/;

/** An attribute with a value only known at render time: `key="value"`, or nothing. */
export function jsxAttr(key: string, value: unknown): unknown {
  if (value === null || value === undefined) return NO_ATTRIBUTE;
  if (typeof value === "string" && PLAIN_NAME.test(key)) {
    return new Markup(`${key}="${escape(value)}"`);
  }
  return honoJsxAttr(key, value as string);
}

/** A component's element, or an element whose attributes are spread (made by Hono). */
export function jsx(tag: unknown, props: Record<string, unknown> | null, key?: string): unknown {
  if (typeof tag === "function") return new ComponentElement(tag as Component, props ?? {});
  return honoJsx(tag as string, props ?? {}, key);
}
