/** The CLI itself: help, version, unknown commands and options, exit codes. */
import { readFileSync } from "fs";
import { join } from "path";
import { REPO, project, scaffold, snapshot } from "./support";

const version = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version;

describe("scaffold CLI", () => {
  it("--version prints the package's version", () => {
    const r = scaffold(REPO, "--version");
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(version);
  });

  it("--help lists every command and the exit codes", () => {
    const r = scaffold(REPO, "--help");
    expect(r.code).toBe(0);
    for (const c of ["genserver", "special", "supervisor", "handler", "init"])
      expect(r.stdout).toContain(`scaffold ${c}`);
    for (const o of ["--dry-run", "--force", "--templates"]) expect(r.stdout).toContain(o);
    expect(r.stdout).toMatch(/Exit codes: 0 .*1 refused.*2 bad input/);
  });

  it.each([
    ["genserver", ["--call", "--cast", "--info", "--dir", "--test-dir"]],
    ["special", ["--dir", "--test-dir"]],
    ["supervisor", ["--child", "--dir"]],
    ["handler", ["--call", "--cast", "--info"]],
    ["init", ["--dry-run", "--force"]],
  ])("%s --help shows its options", (cmd, options) => {
    const r = scaffold(REPO, cmd, "--help");
    expect(r.code).toBe(0);
    for (const o of options) expect(r.stdout).toContain(o);
  });

  it("an unknown command: exit 2 with a suggestion, nothing written", () => {
    const dir = project();
    const before = snapshot(dir);
    const r = scaffold(dir, "genservr", "Foo");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Did you mean genserver\?/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // a message, not a stack
    expect(snapshot(dir)).toEqual(before);
  });

  it("an unknown option: exit 2 with a suggestion, nothing written", () => {
    const dir = project();
    const before = snapshot(dir);
    const r = scaffold(dir, "genserver", "Foo", "--cal", "get");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown argument: cal/);
    expect(r.stderr).toMatch(/Did you mean --call/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("no command: exit 2 and says which commands exist", () => {
    const r = scaffold(REPO);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/genserver, special, supervisor, handler or init/);
  });

  it("a missing --templates folder is bad input", () => {
    const dir = project();
    const r = scaffold(dir, "genserver", "Foo", "--templates", "nope");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--templates "nope": no such directory/);
    expect(snapshot(dir)).toEqual({ ".prettierrc.json": "{}\n" });
  });
});
