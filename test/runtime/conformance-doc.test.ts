/**
 * docs/conformance.md is the project's own rulebook: every rule ID the code
 * and the tests cite is defined there, and every "Checked by" cell names a
 * test that exists (the start of its title, and how many more of that file's
 * tests carry the ID).
 */
import fs from "fs";
import path from "path";
import ts from "typescript";

const ROOT = path.join(__dirname, "..", "..");
const DOC = fs.readFileSync(path.join(ROOT, "docs", "conformance.md"), "utf8");
const ID = /\b(?:PP|LX|MON|REG|TMR|PL|SYS|GS|SUP)-\d+[a-z]?\b/g;

/** The rows of the tables: ID and the whole line. */
const rows = DOC.split("\n")
  .filter((l) => /^\| [A-Z]+-\d+/.test(l))
  .map((line) => ({ id: line.split("|")[1].trim(), line }));

/** An expression without `as`, `satisfies` and parentheses around it. */
function bare(e: ts.Expression): ts.Expression {
  while (ts.isAsExpression(e) || ts.isParenthesizedExpression(e) || ts.isSatisfiesExpression(e))
    e = e.expression;
  return e;
}

/**
 * Every test title in `file` as Jest shows it: an `it.each` over an array
 * literal gives one title per row (its `%s`-style placeholders filled from
 * the row), any other template is kept as written.
 */
const titleCache = new Map<string, string[]>();
function titles(file: string): string[] {
  const cached = titleCache.get(file);
  if (cached !== undefined) return cached;
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const src = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const tables = new Map<string, ts.Expression>();
  const collect = (n: ts.Node) => {
    if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer)
      tables.set(n.name.text, n.initializer);
    ts.forEachChild(n, collect);
  };
  collect(src);
  const cell = (e: ts.Expression) => {
    const x = bare(e);
    return ts.isStringLiteralLike(x) ? x.text : x.getText(src);
  };
  const shown = (t: string) => t.replace(/^([A-Z]+-\d+[a-z]?):/, "$1").replace(/\s+/g, " ");
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isCallExpression(n) && n.arguments.length >= 2) {
      const each = ts.isCallExpression(n.expression) ? n.expression : null;
      const callee = each !== null ? each.expression : n.expression;
      if (/^(it|test)(\.each)?$/.test(callee.getText(src))) {
        const a = n.arguments[0];
        const title = ts.isStringLiteralLike(a) ? a.text : a.getText(src).slice(1, -1);
        let rows = each !== null && each.arguments.length > 0 ? bare(each.arguments[0]) : null;
        if (rows !== null && ts.isIdentifier(rows) && tables.has(rows.text))
          rows = bare(tables.get(rows.text)!);
        if (rows !== null && ts.isArrayLiteralExpression(rows))
          for (const r of rows.elements) {
            const row = bare(r);
            const cells = ts.isArrayLiteralExpression(row) ? row.elements.map(cell) : [cell(row)];
            let i = 0;
            out.push(shown(title.replace(/%[sdijp]/g, () => cells[i++] ?? "")));
          }
        else out.push(shown(title));
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  titleCache.set(file, out);
  return out;
}

/** The project's source and test files that may cite rule IDs. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!["dist", "node_modules", "fixtures"].includes(e.name)) out.push(...sources(rel));
    } else if (/\.(ts|js)$/.test(e.name)) out.push(rel);
  }
  return out;
}

describe("docs/conformance.md", () => {
  it("defines every rule ID that the runtime, the preset and the tests cite", () => {
    const defined = new Set(rows.map((r) => r.id));
    const cited = new Set<string>();
    for (const dir of ["runtime", "jest-preset", "test", "examples"])
      for (const f of sources(dir))
        for (const m of fs.readFileSync(path.join(ROOT, f), "utf8").matchAll(ID)) cited.add(m[0]);
    expect([...cited].filter((id) => !defined.has(id)).sort()).toEqual([]);
  });

  it("names, in each Checked-by cell, a test that exists, with the right count of the others", () => {
    const wrong: string[] = [];
    for (const { id, line } of rows)
      for (const [, file, shown, more] of line.matchAll(
        /`(test\/[^`]*)`: “([^”]*)”(?: and (\d+) more)?/g,
      )) {
        if (!fs.existsSync(path.join(ROOT, file))) {
          wrong.push(`${id}: no file ${file}`);
          continue;
        }
        const all = titles(file);
        const prefix = shown.replace(/ ?…$/, "");
        const withId = all.filter((t) => new RegExp(`^${id}\\b`).test(t)).length;
        if (!all.some((t) => t.startsWith(prefix)))
          wrong.push(`${id}: no test in ${file} starts with "${prefix}"`);
        else if (Number(more ?? 0) !== withId - 1)
          wrong.push(`${id}: ${file} says ${more ?? 0} more, has ${withId - 1}`);
      }
    expect(wrong).toEqual([]);
  });
});
