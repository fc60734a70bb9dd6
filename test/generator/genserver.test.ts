/** `scaffold genserver`, and the safety rules every command shares. */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { project, read, scaffold, snapshot } from "./support";

describe("scaffold genserver", () => {
  it("writes a module with each handler and client function, and its test", () => {
    const dir = project();
    const r = scaffold(
      dir,
      "genserver",
      "ChatRoom",
      "--call",
      "join",
      "--cast",
      "say",
      "--info",
      "down",
      "--info",
      "tick",
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/created src\/chat-room\.ts/);
    expect(r.stdout).toMatch(/created test\/chat-room\.test\.ts/);
    const src = read(dir, "src/chat-room.ts");
    expect(src).toContain("export const ChatRoom = GenServer.define({");
    expect(src).toMatch(/handleCall: \{\n[\s\S]*join\(_arg: void, _from: From, state: State\)/);
    expect(src).toMatch(/handleCast: \{\n[\s\S]*say\(_arg: void, state: State\)/);
    expect(src).toContain("if (isDown(msg))");
    expect(src).toContain("if (isTickMessage(msg))");
    expect(src).toContain("export interface TickMessage");
    expect(src).toContain(
      'export const join = (server: ServerRef) => ChatRoom.call(server, "join");',
    );
    expect(src).toContain(
      'export const say = (server: ServerRef) => ChatRoom.cast(server, "say");',
    );
    const test = read(dir, "test/chat-room.test.ts");
    expect(test).toContain('from "../src/chat-room"');
    expect(test).toContain("await syncWith(server);");
    // The down test: the event is awaited from before the kill, under exploration.
    expect(test).toMatch(
      /await explore\([^]*const handled = awaitSysEvent\(server, \{[^;]*kind: "DOWN",\s*pid: watched[^;]*\}\);\n\s*exit\(watched, "kill"\);/,
    );
  });

  it("--dir and --test-dir choose where the files go", () => {
    const dir = project();
    expect(
      scaffold(dir, "genserver", "Cache", "--dir", "lib/servers", "--test-dir", "spec").code,
    ).toBe(0);
    expect(read(dir, "spec/cache.test.ts")).toContain('from "../lib/servers/cache"');
    expect(existsSync(join(dir, "lib/servers/cache.ts"))).toBe(true);
  });

  it("formats with the project's prettier config (found from the target file)", () => {
    const dir = project({
      "src/.prettierrc.json": JSON.stringify({ singleQuote: true, semi: false, tabWidth: 4 }),
    });
    expect(scaffold(dir, "genserver", "Cache", "--call", "get").code).toBe(0);
    const src = read(dir, "src/cache.ts");
    expect(src).toContain("import { From, GenServer, ServerRef, ok, reply } from 'otpkit'\n");
    expect(src).toMatch(/\n {4}name: 'Cache',\n/);
    // The test folder is outside src/: the root config (prettier's defaults) applies there.
    expect(read(dir, "test/cache.test.ts")).toContain('from "../src/cache";\n');
  });

  it("--dry-run prints the planned files and a diff, and writes nothing", () => {
    const dir = project();
    const before = snapshot(dir);
    const r = scaffold(dir, "genserver", "Cache", "--call", "get", "--dry-run");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("would create src/cache.ts");
    expect(r.stdout).toContain("would create test/cache.test.ts");
    expect(r.stdout).toContain("+++ b/src/cache.ts");
    expect(r.stdout).toContain("+export const Cache = GenServer.define({");
    expect(r.stdout).toContain("(dry run: nothing written)");
    expect(snapshot(dir)).toEqual(before);
  });

  it("refuses to overwrite without --force (exit 1, files untouched); --force overwrites", () => {
    const dir = project({ "src/cache.ts": "// mine\n" });
    const before = snapshot(dir);
    const r = scaffold(dir, "genserver", "Cache");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /Refusing to overwrite src\/cache\.ts: it exists\. Nothing was written; use --force/,
    );
    // Not even the test file, which did not exist.
    expect(snapshot(dir)).toEqual(before);
    expect(scaffold(dir, "genserver", "Cache", "--force").code).toBe(0);
    expect(read(dir, "src/cache.ts")).toContain("GenServer.define");
  });

  it.each([
    [["cache"], /Invalid module name "cache": use PascalCase/],
    [["Chat_Room"], /use PascalCase — a capital letter, then letters or digits/],
    [["State"], /Invalid module name "State": it is reserved/],
    [["Cache", "--call", "delete"], /Invalid handler name "delete": it is a reserved word/],
    [["Cache", "--cast", "1st"], /Invalid handler name "1st": use a JavaScript identifier/],
    [["Cache", "--call", "Get"], /starting with a lower-case letter/],
    [
      ["Cache", "--call", "get", "--cast", "get"],
      /Duplicate call\/cast name .*"get": each name may appear once/,
    ],
    [["Cache", "--info", "my-msg"], /Invalid handler name "my-msg"/],
  ])(
    "bad input %j: exit 2, a message saying what is accepted, nothing written",
    (args, message) => {
      const dir = project();
      const before = snapshot(dir);
      const r = scaffold(dir, "genserver", ...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(snapshot(dir)).toEqual(before);
    },
  );

  it("never writes outside the project: .., absolute paths, symlinks", () => {
    const outside = join(tmpdir(), `scaffold-outside-${process.pid}`);
    mkdirSync(outside, { recursive: true });
    const dir = project();
    symlinkSync(outside, join(dir, "linked"));
    for (const args of [
      ["--dir", "../escape"],
      ["--dir", "src/../../escape"],
      ["--test-dir", outside],
      ["--dir", "linked"],
      ["--dir", "linked/deeper"],
    ]) {
      const r = scaffold(dir, "genserver", "Cache", ...args);
      expect([args, r.code]).toEqual([args, 2]);
      expect(r.stderr).toMatch(/Refusing .*(outside the project root|symlink leading outside)/);
    }
    expect(snapshot(outside)).toEqual({});
    expect(existsSync(join(dir, "src"))).toBe(false);
    // An absolute path inside the project is fine.
    expect(scaffold(dir, "genserver", "Cache", "--dir", join(dir, "inside")).code).toBe(0);
    expect(existsSync(join(dir, "inside", "cache.ts"))).toBe(true);
  });

  it("a symlinked file that leads outside is refused, and the outside file untouched", () => {
    const outside = join(tmpdir(), `scaffold-outside-file-${process.pid}.ts`);
    writeFileSync(outside, "// outside\n");
    const dir = project();
    mkdirSync(join(dir, "src"));
    symlinkSync(outside, join(dir, "src", "cache.ts"));
    const r = scaffold(dir, "genserver", "Cache", "--force");
    expect(r.code).toBe(2);
    expect(readFileSync(outside, "utf8")).toBe("// outside\n");
  });

  it("a failure while writing leaves nothing half-written and no partial set", () => {
    // `test` is a file, so the test file cannot be written: the module must not stay either.
    const dir = project({ test: "not a folder\n" });
    const before = snapshot(dir);
    const r = scaffold(dir, "genserver", "Cache", "--call", "get");
    expect(r.code).not.toBe(0);
    expect(snapshot(dir)).toEqual(before);
    expect(existsSync(join(dir, "src"))).toBe(false);
  });

  it("templates: .scaffold/templates/ overrides a shipped one; --templates overrides both", () => {
    const dir = project({
      ".scaffold/templates/genserver.test.ts.tpl":
        '// project template for {{Name}}\nexport const x = "{{modulePath}}";\n',
      "mine/genserver.test.ts.tpl": "// --templates template for {{Name}}\nexport {};\n",
    });
    expect(scaffold(dir, "genserver", "Cache").code).toBe(0);
    expect(read(dir, "test/cache.test.ts")).toBe(
      '// project template for Cache\nexport const x = "../src/cache";\n',
    );
    // The module still comes from the shipped template.
    expect(read(dir, "src/cache.ts")).toContain("export const Cache = GenServer.define({");
    expect(scaffold(dir, "genserver", "Cache", "--force", "--templates", "mine").code).toBe(0);
    expect(read(dir, "test/cache.test.ts")).toBe("// --templates template for Cache\nexport {};\n");
  });

  it("a broken template override fails before anything is written (exit 2, names the file and line)", () => {
    const dir = project({
      ".scaffold/templates/genserver.test.ts.tpl": "ok\n{{#calls}}\n{{name}}\n",
      ".scaffold/templates/special.test.ts.tpl": "{{nosuch}}\n",
    });
    const before = snapshot(dir);
    const r1 = scaffold(dir, "genserver", "Cache", "--call", "get");
    expect(r1.code).toBe(2);
    expect(r1.stderr).toMatch(/genserver\.test\.ts\.tpl:2: \{\{#calls\}\} is never closed/);
    const r2 = scaffold(dir, "special", "Chan");
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/special\.test\.ts\.tpl:1: unknown name \{\{nosuch\}\}/);
    expect(snapshot(dir)).toEqual(before);
  });
});
