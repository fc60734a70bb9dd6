/** `scaffold genserver`, in memory: what it writes for each kind of handler and project. */
import { genserver } from "../../generator/commands/genserver";
import { INITIALIZED, failure, inMemory } from "./support";

const run = (args: Parameters<typeof genserver>[1], files = INITIALIZED) =>
  inMemory(files, genserver, args);

describe("scaffold genserver", () => {
  it("plans the module and its test under src/ and test/", async () => {
    const { tree } = await run({ name: "ChatRoom" });
    expect(tree.plan().map((f) => f.path)).toEqual(["src/chat-room.ts", "test/chat-room.test.ts"]);
  });

  it("a call without an argument: handler with a void argument, and a client function", async () => {
    const { files } = await run({ name: "Cache", call: ["size"] });
    expect(files["src/cache.ts"]).toContain("size(_arg: void, _from: From, state: State) {");
    expect(files["src/cache.ts"]).toContain(
      'export const size = (server: ServerRef) => Cache.call(server, "size");',
    );
  });

  it("a typed call (get:string): the handler and the client take the argument", async () => {
    const { files } = await run({ name: "Cache", call: ["get:string"] });
    expect(files["src/cache.ts"]).toContain("get(_value: string, _from: From, state: State) {");
    expect(files["src/cache.ts"]).toMatch(
      /export const get = \(server: ServerRef, value: string\) =>\s+Cache\.call\(server, "get", value\);/,
    );
    expect(files["test/cache.test.ts"]).toContain('expect(await get(server, "text")).toBe(0);');
  });

  it("a typed cast (put:number[]): the client takes the argument, the test passes an array", async () => {
    const { files } = await run({ name: "Cache", cast: ["put:number[]"] });
    expect(files["src/cache.ts"]).toContain("put(_value: number[], state: State) {");
    expect(files["src/cache.ts"]).toMatch(
      /export const put = \(server: ServerRef, value: number\[\]\) =>\s+Cache\.cast\(server, "put", value\);/,
    );
    expect(files["test/cache.test.ts"]).toContain('expect(put(server, [1])).toBe("ok");');
  });

  it("an optional argument (name:Type?): optional in the client, possibly undefined in the handler", async () => {
    const { files } = await run({ name: "Cache", call: ["get:string?"] });
    expect(files["src/cache.ts"]).toContain("get(_value: string | undefined, _from: From");
    expect(files["src/cache.ts"]).toContain("(server: ServerRef, value?: string)");
  });

  it("a union type (set:string|null) is written with spaces", async () => {
    const { files } = await run({ name: "Cache", cast: ["set:string|null"] });
    expect(files["src/cache.ts"]).toContain("set(_value: string | null, state: State)");
  });

  it("--info down with a Pid call: the call monitors its pid and the DOWN handler drops it", async () => {
    const { files } = await run({
      name: "Subscribers",
      call: ["subscribe:Pid", "subscribers"],
      info: ["down"],
    });
    const src = files["src/subscribers.ts"]!;
    expect(src).toContain("watching: Map<Ref, Pid>;");
    expect(src).toMatch(
      /subscribe\(pid: Pid, _from: From, state: State\) \{\n\s+state\.watching\.set\(this\.monitor\(pid\), pid\);/,
    );
    expect(src).toMatch(/if \(isDown\(msg\)\) \{[^}]*state\.watching\.delete\(msg\.ref\);/);
    expect(src).toMatch(
      /export const subscribe = \(server: ServerRef, pid: Pid\) =>\s+Subscribers\.call\(server, "subscribe", pid\);/,
    );
  });

  it("--info down: the test subscribes a process, arms awaitSysEvent before the kill, under explore", async () => {
    const { files } = await run({
      name: "Subscribers",
      call: ["subscribe:Pid", "subscribers"],
      info: ["down"],
    });
    expect(files["test/subscribers.test.ts"]).toMatch(
      /await explore\([^]*await subscribe\(server, watched\);[^]*const handled = awaitSysEvent\(server, \{[^;]*kind: "DOWN",\s*pid: watched[^;]*\}\);\n\s*exit\(watched, "kill"\);\n\s*await handled;/,
    );
  });

  it("--info down with an optional Pid call (subscribe:Pid?) monitors the caller by default", async () => {
    const { files } = await run({ name: "Subs", call: ["subscribe:Pid?"], info: ["down"] });
    expect(files["src/subs.ts"]).toMatch(
      /subscribe\(pid: Pid \| undefined, from: From, state: State\) \{\n\s+const who = pid \?\? from\.pid;\n\s+state\.watching\.set\(this\.monitor\(who\), who\);/,
    );
  });

  it("--info down with a Pid cast: the test casts, then syncWith, before arming", async () => {
    const { files } = await run({ name: "Subs", cast: ["watch:Pid"], info: ["down"] });
    expect(files["src/subs.ts"]).toContain("state.watching.set(this.monitor(pid), pid);");
    expect(files["test/subs.test.ts"]).toMatch(
      /watch\(server, watched\);\n\s+await syncWith\(server\);/,
    );
  });

  it("--info down without a Pid-typed call or cast: exit 2, saying how to give one", async () => {
    const e = await failure(run({ name: "Subs", call: ["subscribe"], info: ["down"] }));
    expect(e.exitCode).toBe(2);
    expect(e.message).toMatch(/give one a Pid argument \(e\.g\. --call subscribe:Pid\)/);
  });

  it("--info <name>: a message type, its guard and a handleInfo branch", async () => {
    const { files } = await run({ name: "Cache", info: ["tick"] });
    expect(files["src/cache.ts"]).toContain('export interface TickMessage {\n  kind: "tick";\n}');
    expect(files["src/cache.ts"]).toContain("if (isTickMessage(msg)) {");
  });

  it("types are imported with `type` (verbatimModuleSyntax), in the module and in the test", async () => {
    const { files } = await run({ name: "Cache", call: ["get:ServerRef"], info: ["tick"] });
    expect(files["src/cache.ts"]).toMatch(
      /import \{[^}]*\btype From,[^}]*\btype ServerRef,?[^}]*\} from "otpkit";/,
    );
    expect(files["src/cache.ts"]).not.toMatch(/[{,]\s*(From|ServerRef),/);
    expect(files["test/cache.test.ts"]).toMatch(/type State,\s+type TickMessage/);
  });

  it.each([
    ["nodenext", '{ "compilerOptions": { "module": "nodenext" } }', '"../src/cache.js"'],
    [
      "node16 resolution",
      '{ "compilerOptions": { "moduleResolution": "node16" } }',
      '"../src/cache.js"',
    ],
    ["commonjs", '{ "compilerOptions": { "module": "commonjs" } }', '"../src/cache"'],
    [
      "bundler",
      '{ "compilerOptions": { "module": "esnext", "moduleResolution": "bundler" } }',
      '"../src/cache"',
    ],
    ["no module", "{}", '"../src/cache"'],
    ["extends", '{ "extends": "./base.json" }', '"../src/cache.js"'],
  ])("imports under %s: %s", async (_, tsconfig, specifier) => {
    const { files } = await run(
      { name: "Cache" },
      {
        ...INITIALIZED,
        "tsconfig.json": tsconfig,
        "base.json": '{ "compilerOptions": { "module": "node16" } } // comment',
      },
    );
    expect(files["test/cache.test.ts"]).toContain(`from ${specifier};`);
  });

  it("--dir and --test-dir choose the folders, and the import between them follows", async () => {
    const { files } = await run({ name: "Cache", dir: "lib/servers", testDir: "spec" });
    expect(files["spec/cache.test.ts"]).toContain('from "../lib/servers/cache.js";');
    expect(files["lib/servers/cache.ts"]).toContain("export const Cache = GenServer.define({");
  });

  it("formats with the project's prettier config found from the target file", async () => {
    const { files } = await run(
      { name: "Cache", call: ["get"] },
      { ...INITIALIZED, "src/.prettierrc.json": '{ "singleQuote": true, "semi": false }' },
    );
    expect(files["src/cache.ts"]).toContain("} from 'otpkit'\n");
    expect(files["test/cache.test.ts"]).toContain('} from "../src/cache.js";\n');
  });

  it("before scaffold init: refused (exit 1), saying to run scaffold init first", async () => {
    const e = await failure(run({ name: "Cache" }, { "package.json": "{}" }));
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/run scaffold init first/);
  });

  it("a project whose Jest config uses otpkit's setup file (no preset) counts as set up", async () => {
    const { tree } = await run(
      { name: "Cache" },
      {
        ...INITIALIZED,
        "jest.config.js":
          'module.exports = { setupFilesAfterEnv: [require("otpkit/jest-preset").setupFilesAfterEnv[0]] };',
      },
    );
    expect(tree.plan()).toHaveLength(2);
  });

  it.each([
    [{ name: "cache" }, /Invalid module name "cache": use PascalCase/],
    [{ name: "State" }, /Invalid module name "State": it is reserved/],
    [{ name: "Cache", call: ["delete"] }, /Invalid handler name "delete": it is a reserved word/],
    [{ name: "Cache", cast: ["1st"] }, /Invalid handler name "1st"/],
    [{ name: "Cache", call: ["get"], cast: ["get"] }, /Duplicate call\/cast name .*"get"/],
    [{ name: "Cache", info: ["my-msg"] }, /Invalid handler name "my-msg"/],
    [{ name: "Cache", call: [] }, /--call needs a handler name/],
    [{ name: "Cache", call: [""] }, /--call needs a handler name/],
    [{ name: "Cache", cast: [] }, /--cast needs a handler name/],
    [{ name: "Cache", info: [] }, /--info needs a message name/],
    [{ name: "Cache", call: ["get:"] }, /no type after the colon/],
    [{ name: "Cache", call: ["get:Map"] }, /unknown type "Map"\. Use name or name:Type/],
    [{ name: "Cache", call: ["get:string[]|Foo"] }, /unknown type "Foo"/],
    [
      { name: "Cache", dir: "../escape" },
      /Refusing "\.\.\/escape": it is outside the project root/,
    ],
  ])("bad input %j: exit 2 with a message saying what is accepted", async (args, message) => {
    const e = await failure(run(args as Parameters<typeof genserver>[1]));
    expect([e.exitCode, e.message]).toEqual([2, expect.stringMatching(message)]);
  });

  const templateFiles = {
    ...INITIALIZED,
    ".scaffold/templates/genserver.test.ts.tpl":
      '// project {{Name}}\nexport const x = "{{modulePath}}";\n',
    "mine/genserver.test.ts.tpl": "// mine {{Name}}\nexport {};\n",
  };

  it("templates: one in .scaffold/templates/ overrides the shipped one", async () => {
    const { files } = await inMemory(templateFiles, genserver, { name: "Cache" });
    expect(files["test/cache.test.ts"]).toBe(
      '// project Cache\nexport const x = "../src/cache.js";\n',
    );
  });

  it("templates: one in --templates overrides .scaffold/templates/ and the shipped one", async () => {
    const { files } = await inMemory(templateFiles, genserver, {
      name: "Cache",
      templates: "mine",
    });
    expect(files["test/cache.test.ts"]).toBe("// mine Cache\nexport {};\n");
  });

  it("a broken template override fails before anything is planned (exit 2, file and line)", async () => {
    const e = await failure(
      run(
        { name: "Cache", call: ["get"] },
        { ...INITIALIZED, ".scaffold/templates/genserver.test.ts.tpl": "ok\n{{#calls}}\n" },
      ),
    );
    expect([e.exitCode, e.message]).toEqual([
      2,
      expect.stringMatching(/genserver\.test\.ts\.tpl:2: \{\{#calls\}\} is never closed/),
    ]);
  });

  it("a missing --templates folder is bad input", async () => {
    const e = await failure(run({ name: "Cache", templates: "nope" } as never));
    expect([e.exitCode, e.message]).toEqual([2, '--templates "nope": no such directory.']);
  });
});
