/**
 * The built CLI as a subprocess: help, version, option parsing and
 * suggestions, the project root, exit codes, and what only the real file
 * system shows (symlinks, atomic writes, prettier config files).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "fs";
import { tmpdir } from "os";
import { join } from "path";
import { REPO, project, read, scaffold, snapshot } from "./support";

const version = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version;
/** What `scaffold init` leaves (the commands but init refuse to run without it). */
const INITIALIZED = {
  "jest.config.js": 'module.exports = { preset: "otpkit" };\n',
  "tsconfig.json": '{ "compilerOptions": { "module": "commonjs" } }\n',
};

describe("scaffold --help and --version", () => {
  it("--version prints the package's version", () => {
    const r = scaffold(REPO, "--version");
    expect([r.code, r.stdout.trim()]).toEqual([0, version]);
  });

  it("--help lists every command, the global options and the exit codes", () => {
    const r = scaffold(REPO, "--help");
    expect(r.code).toBe(0);
    for (const c of ["genserver", "special", "supervisor", "handler", "init"])
      expect(r.stdout).toContain(`scaffold ${c}`);
    for (const o of ["--dry-run", "--force", "--templates"]) expect(r.stdout).toContain(o);
    expect(r.stdout).toMatch(/Exit codes: 0 .*1 refused.*2 bad input/);
  });

  it("--help shows the example command on one line", () => {
    const r = scaffold(REPO, "--help");
    expect(r.stdout).toMatch(
      /^ {2}scaffold genserver Subscribers --call subscribe:Pid --call subscribers --info down\s*$/m,
    );
  });

  it("--help points to per-command help, which exists for each command", () => {
    expect(scaffold(REPO, "--help").stdout).toContain("More: scaffold <command> --help");
    for (const c of ["genserver", "special", "supervisor", "handler", "init"])
      expect(scaffold(REPO, c, "--help").stdout).toMatch(/^Examples:$/m);
  });

  it.each([
    ["genserver", ["--call", "--cast", "--info", "--dir", "--test-dir", "name:Type"]],
    ["special", ["--dir", "--test-dir"]],
    ["supervisor", ["--child", "--dir"]],
    ["handler", ["--call", "--cast", "--info"]],
    ["init", ["--dry-run", "--force"]],
  ])("%s --help shows its options", (cmd, options) => {
    const r = scaffold(REPO, cmd, "--help");
    expect(r.code).toBe(0);
    for (const o of options) expect(r.stdout).toContain(o);
  });
});

describe("scaffold: bad input (exit 2, nothing written)", () => {
  it.each([
    [["genservr", "Foo"], /Did you mean genserver\?/],
    [
      ["genserver", "Foo", "--cal", "get"],
      /Unknown argument: cal\nDid you mean --call \(for cal\)\?/,
    ],
    [["genserver", "Foo", "--dry"], /Did you mean --dry-run \(for dry\)\?/],
    [["genserver", "Foo", "--call"], /--call needs a handler name/],
    [["genserver", "Foo", "--call", "get:Date"], /unknown type "Date"/],
    [[], /genserver, special, supervisor, handler or init/],
  ])("%j", (args, message) => {
    const dir = project(INITIALIZED);
    const before = snapshot(dir);
    const r = scaffold(dir, ...args);
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(message)]);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // a message, not a stack
    expect(snapshot(dir)).toEqual(before);
  });

  it("init --dir: unknown, and no suggestion of an option init does not have", () => {
    const r = scaffold(project(), "init", "--dir", "x");
    expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/Unknown argument: dir/)]);
    expect(r.stderr).not.toMatch(/Did you mean/);
  });

  it("outside any project (no package.json up to /): exit 2, saying what to do", () => {
    const dir = mkdtempSync(join(tmpdir(), "scaffold-no-project-"));
    try {
      const r = scaffold(dir, "init");
      expect([r.code, r.stderr]).toEqual([
        2,
        expect.stringMatching(/No package\.json in .* or any folder above it[^]*npm init -y/),
      ]);
      expect(snapshot(dir)).toEqual({});
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("scaffold: the project root and the files", () => {
  it("from a subfolder: files go under the root, printed relative to it", () => {
    const dir = project(INITIALIZED);
    mkdirSync(join(dir, "src"));
    const r = scaffold(join(dir, "src"), "genserver", "Bar");
    expect(r.stdout).toContain("created src/bar.ts\ncreated test/bar.test.ts");
    expect(existsSync(join(dir, "src", "bar.ts"))).toBe(true);
    expect(existsSync(join(dir, "src", "src"))).toBe(false);
  });

  it("genserver before init: exit 1, saying to run scaffold init first", () => {
    const dir = project();
    const r = scaffold(dir, "genserver", "Bar");
    expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(/run scaffold init first/)]);
  });

  it("refuses to overwrite without --force: exit 1, nothing written", () => {
    const dir = project({ ...INITIALIZED, "src/cache.ts": "// mine\n" });
    const before = snapshot(dir);
    const r = scaffold(dir, "genserver", "Cache");
    expect([r.code, r.stderr]).toEqual([
      1,
      expect.stringMatching(
        /Refusing to overwrite src\/cache\.ts: it exists\. Nothing was written; use --force/,
      ),
    ]);
    expect(snapshot(dir)).toEqual(before);
  });

  it("--force overwrites an existing file", () => {
    const dir = project({ ...INITIALIZED, "src/cache.ts": "// mine\n" });
    expect(scaffold(dir, "genserver", "Cache", "--force").code).toBe(0);
    expect(read(dir, "src/cache.ts")).toContain("GenServer.define");
  });

  it("--dry-run prints the planned files and a diff, writes nothing, exit 0", () => {
    const dir = project(INITIALIZED);
    const before = snapshot(dir);
    const r = scaffold(dir, "genserver", "Cache", "--call", "get", "--dry-run");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("would create src/cache.ts\nwould create test/cache.test.ts");
    expect(r.stdout).toContain("+export const Cache = GenServer.define({");
    expect(r.stdout).toContain("(dry run: nothing written)");
    expect(snapshot(dir)).toEqual(before);
  });

  it("--dry-run over existing files: the diff, then exit 1 as the real run would", () => {
    const dir = project({ ...INITIALIZED, "src/cache.ts": "// mine\n" });
    const before = snapshot(dir);
    const r = scaffold(dir, "genserver", "Cache", "--dry-run");
    expect(r.stdout).toContain("would change src/cache.ts");
    expect([r.code, r.stderr]).toEqual([
      1,
      expect.stringMatching(/Refusing to overwrite src\/cache\.ts/),
    ]);
    expect(snapshot(dir)).toEqual(before);
  });

  it.each([
    ["a .. escape", ["--dir", "../escape"]],
    ["an absolute path elsewhere", ["--test-dir", "OUTSIDE"]],
    ["a symlink leading outside", ["--dir", "linked/deeper"]],
  ])("never writes outside the project: %s is refused (exit 2)", (_, given) => {
    const outside = mkdtempSync(join(tmpdir(), "scaffold-outside-"));
    try {
      const dir = project(INITIALIZED);
      symlinkSync(outside, join(dir, "linked"));
      const args = given.map((a) => (a === "OUTSIDE" ? outside : a));
      const r = scaffold(dir, "genserver", "Cache", ...args);
      expect([r.code, r.stderr]).toEqual([
        2,
        expect.stringMatching(/Refusing .*(outside the project root|symlink leading outside)/),
      ]);
      expect(snapshot(outside)).toEqual({});
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it("an absolute path inside the project is fine", () => {
    const dir = project(INITIALIZED);
    expect(scaffold(dir, "genserver", "Cache", "--dir", join(dir, "inside")).code).toBe(0);
    expect(existsSync(join(dir, "inside", "cache.ts"))).toBe(true);
  });

  it("a failure while writing leaves nothing half-written and no partial set", () => {
    // `test` is a file, so the test file cannot be written: the module must not stay either.
    const dir = project({ ...INITIALIZED, test: "not a folder\n" });
    const before = snapshot(dir);
    const r = scaffold(dir, "genserver", "Cache", "--call", "get");
    expect(r.code).toBe(1);
    expect(snapshot(dir)).toEqual(before);
  });

  it("formats with the project's prettier config, found from each file", () => {
    const dir = project({
      ...INITIALIZED,
      "src/.prettierrc.json": '{ "singleQuote": true, "semi": false }',
    });
    expect(scaffold(dir, "genserver", "Cache", "--call", "get").code).toBe(0);
    expect(read(dir, "src/cache.ts")).toContain("} from 'otpkit'\n");
    expect(read(dir, "test/cache.test.ts")).toContain('} from "../src/cache";\n');
  });

  it("init writes tsconfig.json with the project's prettier config", () => {
    const dir = project({ ".prettierrc.json": '{ "useTabs": true }' });
    expect(scaffold(dir, "init").code).toBe(0);
    expect(read(dir, "tsconfig.json")).toContain('\n\t"compilerOptions": {\n');
  });
});
