/** `scaffold handler`: ts-morph edits of existing GenServer modules. */
import { readFileSync } from "fs";
import { join } from "path";
import { REPO, keepsAllLines, project, read, scaffold, snapshot } from "./support";

/** A hand-written module with comments and extra user code (the examples' subscriber server, plus extras). */
const userModule = readFileSync(join(REPO, "examples/subscribers/subscribers.ts"), "utf8")
  .replace('"../../runtime"', '"otpkit"')
  .replace(
    "export const Subscribers",
    "// user comment before the server\nconst LIMIT = 10; // trailing comment\n\nexport const Subscribers",
  )
  .replace(
    "    /** The live subscribers, in subscription order. */",
    "    // a user comment among the calls\n    /** The live subscribers, in subscription order. */",
  )
  .concat("\n// user code at the end\nexport function limit(): number {\n  return LIMIT;\n}\n");

const importLine = (text: string) => text.split("\n").find((l) => l.startsWith("import "))!;
const withoutImport = (text: string) =>
  text
    .split("\n")
    .filter((l) => !l.startsWith("import "))
    .join("\n");

describe("scaffold handler", () => {
  it.each([
    [
      "--call",
      "count",
      [
        /count\(_arg: void, _from: From, state: State\) \{/,
        /export const count = \(server: ServerRef\) =>\s+Subscribers\.call\(server, "count"\);/,
      ],
    ],
    [
      "--cast",
      "reset",
      [
        /handleCast: \{\n\s+\/\*\* `reset`/,
        /export const reset = \(server: ServerRef\) =>\s+Subscribers\.cast\(server, "reset"\);/,
      ],
    ],
    [
      "--info",
      "tick",
      [/export interface TickMessage \{\n\s+kind: "tick";/, /if \(isTickMessage\(msg\)\) \{/],
    ],
  ] as const)(
    "%s %s: added; every comment and line of user code kept; a second run is a no-op",
    (flag, name, patterns) => {
      const dir = project({ "src/subscribers.ts": userModule });
      const r = scaffold(dir, "handler", "src/subscribers.ts", flag, name);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("updated src/subscribers.ts");
      const after = read(dir, "src/subscribers.ts");
      for (const p of patterns) expect(after).toMatch(p);
      // Only additions, but the import line (which may gain names).
      expect(keepsAllLines(withoutImport(userModule), withoutImport(after))).toBe(true);
      for (const keep of [
        "// user comment before the server",
        "// trailing comment",
        "// a user comment among the calls",
        "// user code at the end",
      ])
        expect(after).toContain(keep);
      const again = scaffold(dir, "handler", "src/subscribers.ts", flag, name);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain(
        `nothing to do: src/subscribers.ts already has ${flag.slice(2)} handler ${name}`,
      );
      expect(read(dir, "src/subscribers.ts")).toBe(after);
    },
  );

  it("adds the imports the new code needs to the GenServer import", () => {
    const dir = project({ "src/subscribers.ts": userModule });
    expect(importLine(userModule)).not.toContain("ServerRef, isDown, noreply, ok, reply, From");
    scaffold(dir, "handler", "src/subscribers.ts", "--cast", "reset");
    expect(read(dir, "src/subscribers.ts")).toMatch(
      /import \{[^}]*\bnoreply\b[^}]*\} from "otpkit";/,
    );
  });

  it("--info down on a module that already handles DOWN: nothing to do", () => {
    const dir = project({ "src/subscribers.ts": userModule });
    const r = scaffold(dir, "handler", "src/subscribers.ts", "--info", "down");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("nothing to do");
    expect(read(dir, "src/subscribers.ts")).toBe(userModule);
  });

  it("adds handleInfo (and handleCast) when the module has none", () => {
    const dir = project();
    expect(scaffold(dir, "genserver", "Cache", "--call", "get").code).toBe(0);
    const before = read(dir, "src/cache.ts");
    expect(scaffold(dir, "handler", "src/cache.ts", "--info", "down").code).toBe(0);
    const after = read(dir, "src/cache.ts");
    expect(after).toMatch(
      /handleInfo\(msg: unknown, state: State\) \{\n\s+if \(isDown\(msg\)\) \{[\s\S]*return noreply\(state\);\n\s+\},\n\}\);/,
    );
    expect(importLine(after)).toContain("isDown");
    expect(keepsAllLines(withoutImport(before), withoutImport(after))).toBe(true);
  });

  it("a file formatted with the project's prettier config changes only where the handler was added", () => {
    const config = {
      singleQuote: true,
      semi: false,
      tabWidth: 4,
      trailingComma: "none",
      printWidth: 90,
    };
    const dir = project({ ".prettierrc.json": JSON.stringify(config) });
    expect(scaffold(dir, "genserver", "Cache", "--call", "get", "--cast", "put").code).toBe(0);
    const before = read(dir, "src/cache.ts");
    const r = scaffold(dir, "handler", "src/cache.ts", "--call", "size", "--dry-run");
    // The diff: added lines only.
    const diff = r.stdout.split("\n").filter((l) => /^[-+][^-+]/.test(l));
    expect(diff.length).toBeGreaterThan(0);
    expect(diff.filter((l) => l.startsWith("-"))).toEqual([]);
    expect(scaffold(dir, "handler", "src/cache.ts", "--call", "size").code).toBe(0);
    const after = read(dir, "src/cache.ts");
    expect(after).toContain(
      "        size(_arg: void, _from: From, state: State) {\n            return reply('ok' as const, state)\n        }\n    },",
    );
    expect(after).toContain(
      "export const size = (server: ServerRef) => Cache.call(server, 'size')\n",
    );
    expect(keepsAllLines(before, after)).toBe(true);
  });

  it("--dry-run shows the diff and writes nothing", () => {
    const dir = project({ "src/subscribers.ts": userModule });
    const r = scaffold(dir, "handler", "src/subscribers.ts", "--call", "count", "--dry-run");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("would change src/subscribers.ts");
    expect(r.stdout).toMatch(/\+\s+count\(_arg: void, _from: From, state: State\) \{/);
    expect(read(dir, "src/subscribers.ts")).toBe(userModule);
  });

  it.each([
    [
      ["--call", "count", "--cast", "count"],
      2,
      /exactly one of --call <name>, --cast <name> or --info <name>/,
    ],
    [[], 2, /exactly one of/],
    [["--call", "new"], 2, /Invalid handler name "new"/],
    [["--cast", "subscribe"], 1, /subscribe is already a call handler of Subscribers/],
    [["--call", "limit"], 1, /limit is already declared at the top level/],
  ])("bad input %j: exit %i, file untouched", (args, code, message) => {
    const dir = project({ "src/subscribers.ts": userModule });
    const r = scaffold(dir, "handler", "src/subscribers.ts", ...args);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(read(dir, "src/subscribers.ts")).toBe(userModule);
  });

  it("refuses files that are not GenServer modules, missing files, and files outside the project", () => {
    const dir = project({ "src/plain.ts": "export const x = 1;\n" });
    const before = snapshot(dir);
    const plain = scaffold(dir, "handler", "src/plain.ts", "--call", "get");
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/has no GenServer\.define/);
    const missing = scaffold(dir, "handler", "src/nope.ts", "--call", "get");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no such file/);
    const outside = scaffold(
      dir,
      "handler",
      join(REPO, "examples/subscribers/subscribers.ts"),
      "--call",
      "get",
    );
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/outside the project root/);
    expect(snapshot(dir)).toEqual(before);
  });
});
