/**
 * A check of the statements the SQL Server dialect builds, for the test suite (no SQL Server runs
 * here): each statement must parse as T-SQL (`node-sql-parser`, dialect `transactsql`) and keep
 * the rules SQL Server enforces that SQLite and the parser let through.
 * @module
 */
import parser from "node-sql-parser/build/transactsql.js";

/** A parameter as the SQL Server executor bound it: its name, its type's name and its value. */
export type BoundParam = { name: string; type: string; value: unknown };

/** One statement as the SQL Server executor sends it (`@p0` placeholders). */
export type RecordedStatement = { text: string; params: BoundParam[] };

/** SQL Server's limit on parameters in one request. */
export const MAX_PARAMS = 2100;

const { Parser } = parser as unknown as {
  Parser: new () => { astify(sql: string, options: { database: string }): unknown };
};
const tsql = new Parser();

/** Characters of Windows-1252 above Latin-1's 0x7F–0x9F gap (what a VARCHAR column can store). */
const CP1252_EXTRA = new Set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ");

/** True when a VARCHAR column in code page 1252 stores `text` as it is (no `?` for a character). */
export function fitsCp1252(text: string): boolean {
  for (const c of text) {
    const code = c.codePointAt(0)!;
    if (code < 0x80 || (code >= 0xa0 && code <= 0xff) || CP1252_EXTRA.has(c)) continue;
    return false;
  }
  return true;
}

/** The text outside string literals (each literal becomes `''`), for the token rules. */
function outsideLiterals(text: string): string {
  return text.replace(/'(?:[^']|'')*'/g, "''");
}

/** Every node of a parsed statement, depth first. */
function* nodes(value: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(value)) {
    for (const item of value) yield* nodes(item);
  } else if (value && typeof value === "object") {
    yield value as Record<string, unknown>;
    for (const child of Object.values(value)) yield* nodes(child);
  }
}

type OrderItem = { expr: { type: string; table?: string | null; column?: unknown } };

/** The ORDER BY expressions named more than once in one list (SQL Server error 169). */
function repeatedOrderColumns(order: OrderItem[]): string[] {
  const seen = new Map<string, string | null>();
  const repeated: string[] = [];
  for (const { expr } of order) {
    const key = expr.type === "column_ref"
      ? String(expr.column).toLowerCase()
      : JSON.stringify(expr).toLowerCase();
    const table = expr.table?.toLowerCase() ?? null;
    if (seen.has(key) && (seen.get(key) === table || seen.get(key) === null || table === null)) {
      repeated.push(key);
    }
    seen.set(key, table);
  }
  return repeated;
}

/**
 * The problems SQL Server would have with a statement, as one line each; empty when none.
 * The parser does not know `LIKE … ESCAPE`, so that clause is left out before parsing.
 */
export function checkTsql(statement: RecordedStatement): string[] {
  const problems: string[] = [];
  const bare = outsideLiterals(statement.text);
  if (/\bLIMIT\b/i.test(bare)) problems.push("LIMIT is not T-SQL: use OFFSET … FETCH or TOP");
  if (/\b(TRUE|FALSE)\b/i.test(bare)) problems.push("TRUE/FALSE are not T-SQL literals: use 1/0");
  if (bare.includes("||")) problems.push("|| is not T-SQL concatenation: use + or CONCAT");
  if (bare.includes('"')) problems.push("double-quoted identifiers depend on QUOTED_IDENTIFIER");
  if (/INFORMATION_SCHEMA\./i.test(bare) && !/TABLE_SCHEMA/i.test(bare)) {
    problems.push("INFORMATION_SCHEMA lookup ignores TABLE_SCHEMA: another schema's table matches");
  }
  if (statement.params.length > MAX_PARAMS) {
    problems.push(`${statement.params.length} parameters: SQL Server takes at most ${MAX_PARAMS}`);
  }
  for (const p of statement.params) {
    if (typeof p.value !== "string") continue;
    if (p.type.toLowerCase() !== "varchar") {
      problems.push(`@${p.name} is bound as ${p.type}: VARCHAR columns need VarChar (no scans)`);
    } else if (!fitsCp1252(p.value)) {
      problems.push(`@${p.name} holds characters a VARCHAR column stores as '?'`);
    }
  }
  // On SQL Server `[` opens a character class: a LIKE pattern must escape it to mean itself.
  for (const [, name] of statement.text.matchAll(/LIKE @(\w+) ESCAPE '\\'/g)) {
    const value = statement.params.find((p) => p.name === name)?.value;
    if (typeof value === "string" && /(^|[^\\])(\\\\)*\[/.test(value)) {
      problems.push(`@${name} is a LIKE pattern with an unescaped [ (a character class)`);
    }
  }
  // The parser does not know inline column constraints (`… PRIMARY KEY REFERENCES t (id)`);
  // CREATE TABLE texts are fixed, so they get the token rules only.
  if (/^\s*CREATE TABLE/i.test(statement.text)) return problems;
  let ast: unknown;
  try {
    ast = tsql.astify(statement.text.replace(/\s+ESCAPE\s+'\\'/g, ""), {
      database: "transactsql",
    });
  } catch (error) {
    problems.push(`does not parse as T-SQL: ${(error as Error).message.slice(0, 120)}`);
    return problems;
  }
  for (const node of nodes(ast)) {
    const order = Array.isArray(node.orderby) ? node.orderby as OrderItem[] : [];
    for (const column of repeatedOrderColumns(order)) {
      problems.push(`ORDER BY names ${column} twice (SQL Server error 169)`);
    }
    const limit = node.limit as { offset?: unknown; fetch?: unknown } | null | undefined;
    if (limit && (limit.offset || limit.fetch) && order.length === 0 && "columns" in node) {
      problems.push("OFFSET … FETCH without ORDER BY (SQL Server error 102)");
    }
  }
  return problems;
}
