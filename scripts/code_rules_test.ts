/**
 * Code rules of the whole tree, checked on its syntax trees (Deno's own parser, through the lint
 * plugin API): no function outside tests takes more than two required positional parameters (the
 * rest go in an options object), no module outside tests exports a symbol nothing else uses, and
 * every module outside tests opens with its module doc.
 * Each rule is also run on a planted violation, so a rule that can no longer fail shows.
 * @module
 */
import assert from "node:assert/strict";

const ROOT = new URL("../", import.meta.url);

/** Folders that hold no source of ours. */
const SKIP = new Set([".git", "node_modules", "data", "bench-data", "dist", "testdata", "static"]);

/** Every TypeScript file of the tree, by its path from the root. */
async function sourceFiles(dir = ""): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(new URL(dir || ".", ROOT))) {
    const path = `${dir}${entry.name}`;
    if (entry.isDirectory && !SKIP.has(entry.name)) files.push(...await sourceFiles(`${path}/`));
    else if (entry.isFile && /\.tsx?$/.test(entry.name)) files.push(path);
  }
  return files.sort();
}

function isTest(path: string): boolean {
  return /_test\.tsx?$/.test(path);
}

/** A module that only serves tests: `testing.ts`, `*_testing.ts`, the browser tests' helpers. */
function isTestHelper(path: string): boolean {
  return /(^|\/|_)testing\.ts$/.test(path) || (path.startsWith("e2e/") && !isTest(path));
}

type FunctionNode =
  | Deno.lint.FunctionDeclaration
  | Deno.lint.FunctionExpression
  | Deno.lint.ArrowFunctionExpression;

/**
 * True for an options object: a destructured object, a parameter typed as an object literal, or
 * one named `options`.
 */
function isOptionsObject(param: Deno.lint.Parameter): boolean {
  const p = param.type === "TSParameterProperty" ? param.parameter : param;
  const target = p.type === "AssignmentPattern" ? p.left : p;
  if (target.type === "ObjectPattern") return true;
  if (target.type !== "Identifier") return false;
  return target.name === "options" ||
    target.typeAnnotation?.typeAnnotation.type === "TSTypeLiteral";
}

/**
 * How many parameters a caller must give by position: the required ones, but for a last one
 * that is an options object.
 */
function requiredCount(fn: FunctionNode): number {
  const last = fn.params.at(-1);
  const positional = last && isOptionsObject(last) ? fn.params.slice(0, -1) : fn.params;
  return positional.filter((param) => {
    const p = param.type === "TSParameterProperty" ? param.parameter : param;
    if (p.type === "Identifier") return !p.optional;
    return p.type === "ObjectPattern" || p.type === "ArrayPattern";
  }).length;
}

/** The name a function is known by, for the message. */
function nameOf(fn: FunctionNode): string {
  if (fn.type !== "ArrowFunctionExpression" && fn.id) return fn.id.name;
  const parent = fn.parent;
  if (parent.type === "VariableDeclarator" && parent.id.type === "Identifier") {
    return parent.id.name;
  }
  if (
    (parent.type === "Property" || parent.type === "MethodDefinition") &&
    parent.key.type === "Identifier"
  ) return parent.key.name;
  return "(anonymous)";
}

/**
 * Reports every function with more than two required positional parameters. A callback given
 * as an argument is left alone: its parameters are the ones its caller (often a library) passes.
 */
const optionsObject: Deno.lint.Rule = {
  create(context) {
    const check = (fn: FunctionNode) => {
      const parent = fn.parent;
      const callback = (parent.type === "CallExpression" || parent.type === "NewExpression") &&
        parent.arguments.includes(fn as Deno.lint.Expression);
      const required = requiredCount(fn);
      if (!callback && required > 2) {
        context.report({
          node: fn,
          message: `${nameOf(fn)} takes ${required} required positional parameters: give the ` +
            "ones after the second in an options object",
        });
      }
    };
    return {
      FunctionDeclaration: check,
      FunctionExpression: check,
      ArrowFunctionExpression: check,
    };
  },
};

/** What one module exports and imports, by name. */
type ModuleNames = {
  exports: string[];
  /** Types named in the module's exported declarations: part of those exports' interface. */
  interfaceTypes: Set<string>;
  /** Imported names by the specifier they come from (`*`: the whole module). */
  imports: Map<string, Set<string>>;
};

function declaredNames(declaration: Deno.lint.Node): string[] {
  switch (declaration.type) {
    case "FunctionDeclaration":
    case "ClassDeclaration":
    case "TSTypeAliasDeclaration":
    case "TSInterfaceDeclaration":
    case "TSEnumDeclaration":
      return declaration.id ? [declaration.id.name] : [];
    case "VariableDeclaration":
      return declaration.declarations.flatMap((d) => d.id.type === "Identifier" ? [d.id.name] : []);
    default:
      return [];
  }
}

function specifierName(node: Deno.lint.Identifier | Deno.lint.StringLiteral): string {
  return node.type === "Identifier" ? node.name : node.value;
}

/** A plugin whose one rule reports nothing and writes the module's names into `into`. */
function namesPlugin(into: ModuleNames): Deno.lint.Plugin {
  const imported = (from: string, names: string[]) => {
    const set = into.imports.get(from) ?? new Set<string>();
    for (const name of names) set.add(name);
    into.imports.set(from, set);
  };
  return {
    name: "names",
    rules: {
      collect: {
        create: (context) => ({
          ImportDeclaration(node) {
            imported(
              node.source.value,
              node.specifiers.map((s) =>
                s.type === "ImportSpecifier"
                  ? specifierName(s.imported)
                  : s.type === "ImportDefaultSpecifier"
                  ? "default"
                  : "*"
              ),
            );
          },
          ExportNamedDeclaration(node) {
            // `export { a as b } from "./x.ts"` uses x's `a`; any such export offers `b`.
            if (node.source) {
              imported(node.source.value, node.specifiers.map((s) => specifierName(s.local)));
            }
            into.exports.push(...node.specifiers.map((s) => specifierName(s.exported)));
            if (node.declaration) into.exports.push(...declaredNames(node.declaration));
          },
          ExportDefaultDeclaration() {
            into.exports.push("default");
          },
          ExportAllDeclaration(node) {
            imported(node.source.value, ["*"]);
          },
          TSTypeReference(node) {
            if (node.typeName.type !== "Identifier") return;
            const inExport = context.sourceCode.getAncestors(node).some((a) =>
              a.type === "ExportNamedDeclaration"
            );
            if (inExport) into.interfaceTypes.add(node.typeName.name);
          },
          ImportExpression(node) {
            if (node.source.type === "Literal" && typeof node.source.value === "string") {
              imported(node.source.value, ["*"]);
            }
          },
        }),
      },
    },
  };
}

/**
 * Functions the rule leaves alone, by file and name, each with its reason. Keep this short.
 */
const POSITIONAL_ALLOWED: Record<string, { names: string[]; why: string }> = {
  "lib/windows_testing.ts": {
    names: ["GetTokenInformation", "LookupAccountSidW", "LookupAccountNameW"],
    why: "fakes of Win32 functions: their parameters are the Windows API's",
  },
  "db/recording.ts": {
    names: ["input"],
    why: "implements the mssql request's input(name, type, value)",
  },
};

const rules: Deno.lint.Plugin = { name: "code-rules", rules: { "options-object": optionsObject } };

/**
 * Exports the rule leaves alone, by file, each with its reason. Keep this short.
 */
const EXPORT_ALLOWED: Record<string, { names: string[]; why: string }> = {
  "db/audit.ts": {
    names: ["AUDIT_PROCESS"],
    why: "the browser test finds audit rows by it instead of repeating the name",
  },
  "lib/queue_status.ts": {
    names: ["QUEUE_ACTIONS"],
    why: "the security test sends a payload to every action instead of repeating the list",
  },
  "db/recording.ts": {
    names: ["sqliteSpelling"],
    why: "the T-SQL check's test feeds it the statements it checks",
  },
  "templates/jsx_runtime.ts": {
    names: ["JSX", "Fragment", "jsx", "jsxEscape", "jsxs"],
    why: "the JSX runtime: the compiled templates import them, and the type checker reads JSX",
  },
};

function readNames(path: string, source: string): ModuleNames {
  const names: ModuleNames = { exports: [], interfaceTypes: new Set(), imports: new Map() };
  Deno.lint.runPlugin(namesPlugin(names), path, source);
  return names;
}

/** The path from the root a relative specifier of `from` names (null: a package). */
function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith(".")) return null;
  const url = new URL(specifier, new URL(from, ROOT));
  return url.href.slice(ROOT.href.length);
}

/**
 * The exported symbols of non-test modules that no other module uses. Users that count: any
 * other module that is not a test; the module's own tests (`x_test.ts`, `x_*_test.ts` beside
 * `x.ts`), which
 * checks its functions one by one; and, for a test helper module, every test. A type named in
 * another export's declaration is used with it. So a symbol exported only for a test of another
 * module, or for nobody, is found.
 */
function unusedExports(modules: Map<string, ModuleNames>): string[] {
  const users = new Map<string, Map<string, string[]>>();
  for (const [path, { imports }] of modules) {
    for (const [specifier, names] of imports) {
      const target = resolve(path, specifier);
      if (target === null) continue;
      const byName = users.get(target) ?? new Map<string, string[]>();
      for (const name of names) byName.set(name, [...byName.get(name) ?? [], path]);
      users.set(target, byName);
    }
  }
  const unused: string[] = [];
  for (const [path, { exports, interfaceTypes }] of modules) {
    if (isTest(path)) continue;
    const byName = users.get(path) ?? new Map<string, string[]>();
    const helper = isTestHelper(path);
    const base = path.replace(/\.tsx?$/, "");
    const ownTest = (user: string) => user.startsWith(`${base}_`) && isTest(user);
    const counts = (user: string) => helper || !isTest(user) || ownTest(user);
    for (const name of exports) {
      if (interfaceTypes.has(name)) continue;
      const by = [...byName.get(name) ?? [], ...byName.get("*") ?? []];
      const counted = by.filter(counts);
      if (counted.filter((user) => user !== path).length === 0) {
        unused.push(`${path}: ${name}${by.length ? " (used by tests only)" : ""}`);
      }
    }
  }
  return unused;
}

/** True when a module opens with a JSDoc comment tagged `@module` (its module doc). */
function hasModuleDoc(source: string): boolean {
  const opening = /^\/\*\*[\s\S]*?\*\//.exec(source);
  return opening !== null && opening[0].includes("@module");
}

async function readTree(): Promise<Map<string, string>> {
  const sources = new Map<string, string>();
  for (const path of await sourceFiles()) {
    sources.set(path, await Deno.readTextFile(new URL(path, ROOT)));
  }
  return sources;
}

const tree = await readTree();

Deno.test("no function outside tests takes more than two required positional parameters", () => {
  const problems = [...tree].filter(([path]) => !isTest(path)).flatMap(([path, source]) =>
    Deno.lint.runPlugin(rules, path, source)
      .filter((d) => !POSITIONAL_ALLOWED[path]?.names.includes(d.message.split(" ")[0]))
      .map((d) => `${path}: ${d.message}`)
  );
  assert.deepEqual(problems, []);
});

Deno.test("the options-object rule finds a planted violation and passes the allowed shapes", () => {
  const planted = `
    export function three(a: string, b: number, c: boolean) { return [a, b, c]; }
    const arrow = (a: string, b: string, c: Date) => a + b + c;
    class K { method(a: string, b: string, c: string) { return a + b + c; } }
    export function fine(a: string, b: string, read: { c: string }) { return [a, b, read]; }
    export function named(a: string, b: string, options: Options) { return [a, b, options]; }
    export function destructured(a: string, b: string, { c }: Options) { return [a, b, c]; }
    export function alsoFine(a: string, b: string, c?: string, ...rest: string[]) { return [a, b, c, rest]; }
    [1, 2].reduce((sum, n, i) => sum + n + i, 0);
    type Options = { c: string };
    export { arrow, K };
  `;
  const found = Deno.lint.runPlugin(rules, "planted.ts", planted).map((d) => d.message);
  assert.deepEqual(found.map((m) => m.split(" ")[0]), ["three", "arrow", "method"]);
});

Deno.test("no module outside tests exports a symbol nothing else uses", () => {
  const modules = new Map([...tree].map(([path, source]) => [path, readNames(path, source)]));
  const unused = unusedExports(modules).filter((found) => {
    const [path, rest] = found.split(": ");
    return !EXPORT_ALLOWED[path]?.names.includes(rest.split(" ")[0]);
  });
  assert.deepEqual(unused, []);
});

Deno.test("the unused-export rule finds a planted export and passes used ones", () => {
  const planted = new Map<string, string>([
    ["lib/a.ts", "export const used = 1;\nexport function unused() {}\nexport const forTest = 2;"],
    ["lib/b.ts", 'import { used } from "./a.ts";\nexport const b = used;'],
    ["lib/a_test.ts", 'import { forTest } from "./a.ts";\nimport { b } from "./b.ts";'],
    [
      "lib/f.ts",
      "export type Shape = { n: number };\nexport function make(): Shape { return { n: 1 }; }",
    ],
    ["lib/g.ts", 'import { make } from "./f.ts";\nexport const g = make();'],
    ["lib/h.ts", 'import { g } from "./g.ts";\nexport const h = g;'],
    ["lib/h_test.ts", 'import { h } from "./h.ts";'],
    ["lib/testing.ts", "export const onlyTests = 3;"],
    ["lib/c_test.ts", 'import { onlyTests } from "./testing.ts";\nimport * as all from "./d.ts";'],
    ["lib/d.ts", "export const viaNamespace = 4;"],
    ["lib/e.ts", 'import * as d from "./d.ts";\nexport const e = d;'],
    [
      "lib/r.ts",
      'export { used as renamed } from "./a.ts";\nconst kept = 5;\nexport { kept as alias };',
    ],
    ["lib/s.ts", 'import { alias, renamed } from "./r.ts";\nexport const s = [alias, renamed];'],
    ["lib/s_test.ts", 'import { s } from "./s.ts";'],
  ]);
  const modules = new Map([...planted].map(([path, source]) => [path, readNames(path, source)]));
  assert.deepEqual(unusedExports(modules), [
    "lib/a.ts: unused",
    "lib/b.ts: b (used by tests only)",
    "lib/e.ts: e",
  ]);
});

Deno.test("every module outside tests opens with its module doc", () => {
  const missing = [...tree].filter(([path, source]) => !isTest(path) && !hasModuleDoc(source));
  assert.deepEqual(missing.map(([path]) => path), []);
});

Deno.test("the module-doc rule finds a planted module without one", () => {
  assert.equal(hasModuleDoc("/**\n * What it does.\n * @module\n */\nexport const a = 1;"), true);
  assert.equal(hasModuleDoc("/** A constant. */\nexport const a = 1;"), false);
  assert.equal(hasModuleDoc('import x from "./x.ts";\n/**\n * @module\n */'), false);
});
