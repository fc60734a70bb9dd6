/** `scaffold handler`, in memory: ts-morph edits of existing GenServer modules. */
import { readFileSync } from "fs";
import { join } from "path";
import { addHandlerCommand } from "../../generator/commands/handler";
import { genserver } from "../../generator/commands/genserver";
import { INITIALIZED, REPO, failure, inMemory, keepsAllLines } from "./support";

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

const FILE = "src/subscribers.ts";
const files: Record<string, string> = { ".prettierrc.json": "{}", [FILE]: userModule };
type Args = Parameters<typeof addHandlerCommand>[1];
const add = (args: Omit<Args, "file">, from = files, cwd = "") =>
  inMemory(from, addHandlerCommand, { file: FILE, ...args }, cwd);

const importLine = (text: string) => /^import [^;]*;/m.exec(text)![0];
const withoutImport = (text: string) => text.replace(/^import [^;]*;\n/m, "");

describe("scaffold handler", () => {
  it.each([
    [
      { call: "count" },
      [
        /count\(_arg: void, _from: From, state: State\) \{/,
        /export const count = \(server: ServerRef\) =>\s+Subscribers\.call\(server, "count"\);/,
      ],
    ],
    [
      { cast: "reset" },
      [
        /handleCast: \{\n\s+\/\*\* `reset`/,
        /export const reset = \(server: ServerRef\) =>\s+Subscribers\.cast\(server, "reset"\);/,
      ],
    ],
    [
      { info: "tick" },
      [/export interface TickMessage \{\n\s+kind: "tick";/, /if \(isTickMessage\(msg\)\) \{/],
    ],
  ] as const)("%j: added; every comment and line of user code kept", async (args, patterns) => {
    const { files: after } = await add(args);
    for (const p of patterns) expect(after[FILE]).toMatch(p);
    expect(keepsAllLines(withoutImport(userModule), withoutImport(after[FILE]!))).toBe(true);
    for (const keep of [
      "// user comment before the server",
      "// trailing comment",
      "// a user comment among the calls",
      "// user code at the end",
    ])
      expect(after[FILE]).toContain(keep);
  });

  it.each([[{ call: "count" }], [{ cast: "reset" }], [{ info: "tick" }]] as const)(
    "%j a second time: nothing to do, and says so",
    async (args) => {
      const first = await add(args);
      const again = await add(args, first.files);
      expect(again.tree.plan()).toEqual([]);
      expect(again.logs.join("\n")).toMatch(
        /nothing to do: src\/subscribers\.ts already has \w+ handler/,
      );
    },
  );

  it("a typed call (--call unsubscribe:Pid): the handler and the client take a Pid", async () => {
    const { files: after } = await add({ call: "unsubscribe:Pid" });
    expect(after[FILE]).toContain("unsubscribe(_pid: Pid, _from: From, state: State) {");
    expect(after[FILE]).toMatch(
      /export const unsubscribe = \(server: ServerRef, pid: Pid\) =>\s+Subscribers\.call\(server, "unsubscribe", pid\);/,
    );
  });

  it("adds the names the new code needs to the GenServer import, types with `type`", async () => {
    const base = {
      ...files,
      [FILE]: userModule.replace(/import \{[^}]*\}/, "import { GenServer, ok }"),
    };
    const { files: after } = await add({ call: "get:ServerRef" }, base);
    expect(importLine(after[FILE]!)).toBe(
      'import { GenServer, ok, type From, reply, type ServerRef } from "otpkit";',
    );
  });

  it("--info down on a module that already handles DOWN: nothing to do", async () => {
    const r = await add({ info: "down" });
    expect(r.tree.plan()).toEqual([]);
    expect(r.logs.join("\n")).toContain("nothing to do");
  });

  it("adds handleInfo when the module has none", async () => {
    const made = await inMemory(INITIALIZED, genserver, { name: "Cache", call: ["get"] });
    const before = made.files["src/cache.ts"]!;
    const r = await inMemory(made.files, addHandlerCommand, { file: "src/cache.ts", info: "down" });
    const text = r.files["src/cache.ts"]!;
    expect(text).toMatch(
      /handleInfo\(msg: unknown, state: State\) \{\n\s+if \(isDown\(msg\)\) \{[\s\S]*return noreply\(state\);\n\s+\},\n\}\);/,
    );
    expect(importLine(text)).toContain("isDown");
    expect(keepsAllLines(withoutImport(before), withoutImport(text))).toBe(true);
  });

  it("a file formatted with the project's prettier config changes only where the handler was added", async () => {
    const config = {
      singleQuote: true,
      semi: false,
      tabWidth: 4,
      trailingComma: "none",
      printWidth: 90,
    };
    const project = { ...INITIALIZED, ".prettierrc.json": JSON.stringify(config) };
    const made = await inMemory(project, genserver, {
      name: "Cache",
      call: ["get"],
      cast: ["put"],
    });
    const before = made.files["src/cache.ts"]!;
    const r = await inMemory(made.files, addHandlerCommand, { file: "src/cache.ts", call: "size" });
    const after = r.files["src/cache.ts"]!;
    expect(after).toContain(
      "        size(_arg: void, _from: From, state: State) {\n            return reply('ok' as const, state)\n        }\n    },",
    );
    expect(after).toContain(
      "export const size = (server: ServerRef) => Cache.call(server, 'size')\n",
    );
    expect(keepsAllLines(before, after)).toBe(true);
  });

  it("the file is found from the folder the command runs in", async () => {
    const r = await inMemory(
      files,
      addHandlerCommand,
      { file: "subscribers.ts", cast: "reset" },
      "src",
    );
    expect(r.tree.plan().map((f) => f.path)).toEqual([FILE]);
  });

  it.each([
    [
      { call: "count", cast: "count" },
      2,
      /exactly one of --call <name>, --cast <name> or --info <name>/,
    ],
    [{}, 2, /exactly one of/],
    [{ call: "" }, 2, /--call needs a handler name/],
    [{ call: "new" }, 2, /Invalid handler name "new"/],
    [{ call: "get:Set" }, 2, /unknown type "Set"/],
    [{ cast: "subscribe" }, 1, /subscribe is already a call handler of Subscribers/],
    [{ call: "limit" }, 1, /limit is already declared at the top level/],
  ])("bad input %j: exit %i", async (args, code, message) => {
    const e = await failure(add(args as Omit<Args, "file">));
    expect([e.exitCode, e.message]).toEqual([code, expect.stringMatching(message)]);
  });

  it.each([
    ["src/plain.ts", /has no GenServer\.define/],
    ["src/nope.ts", /src\/nope\.ts: no such file/],
    ["../outside.ts", /outside the project root/],
  ])("refuses %s (exit 2)", async (file, message) => {
    const e = await failure(
      inMemory({ "src/plain.ts": "export const x = 1;\n" }, addHandlerCommand, {
        file,
        call: "get",
      }),
    );
    expect([e.exitCode, e.message]).toEqual([2, expect.stringMatching(message)]);
  });
});
