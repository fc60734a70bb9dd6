/** `scaffold special` and `scaffold supervisor`. */
import { project, read, scaffold, snapshot } from "./support";

describe("scaffold special", () => {
  it("writes a procLib/sys special process and a test that debugs it through sys", () => {
    const dir = project();
    const r = scaffold(dir, "special", "Channels");
    expect(r.code).toBe(0);
    const src = read(dir, "src/channels.ts");
    expect(src).toContain("procLib.initAck(self, self.pid);");
    expect(src).toMatch(
      /sys\.handleSystemMsg\(\s*self,\s*msg,\s*parent,\s*Module,\s*debug,\s*state,?\s*\)/,
    );
    expect(src).toMatch(/sys\.handleDebug\(debug, sys\.defaultFormat, name/);
    const test = read(dir, "test/channels.test.ts");
    expect(test).toContain('from "../src/channels"');
    expect(test).toContain("sys.suspend(pid)");
  });

  it("a bad name: exit 2, nothing written", () => {
    const dir = project();
    const r = scaffold(dir, "special", "my-proc");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/use PascalCase/);
    expect(snapshot(dir)).toEqual({ ".prettierrc.json": "{}\n" });
  });
});

describe("scaffold supervisor", () => {
  it("writes child specs for GenServer, special and supervisor children, in order", () => {
    const dir = project();
    expect(scaffold(dir, "genserver", "Cache").code).toBe(0);
    expect(scaffold(dir, "special", "Channels").code).toBe(0);
    expect(scaffold(dir, "supervisor", "Inner", "--child", "Cache").code).toBe(0);
    const r = scaffold(dir, "supervisor", "AppSup", "--child", "Inner", "--child", "Channels");
    expect(r.code).toBe(0);
    const src = read(dir, "src/app-sup.ts");
    expect(src).toContain('import { Inner } from "./inner";');
    expect(src).toContain('import * as Channels from "./channels";');
    expect(src.indexOf('id: "inner"')).toBeLessThan(src.indexOf('id: "channels"'));
    expect(src).toContain("start: (sup: Self) => Supervisor.startLink(sup, Inner),");
    expect(src).toContain('type: "supervisor",');
    expect(src).toContain("start: (sup: Self) => Channels.startLink(sup),");
    expect(read(dir, "src/inner.ts")).toContain(
      "start: (sup: Self) => Cache.startLink(sup, undefined),",
    );
    expect(read(dir, "test/app-sup.test.ts")).toContain("restarts channels when it is killed");
  });

  it("a child module that does not exist, or is not a process module: exit 2, nothing written", () => {
    const dir = project({ "src/plain.ts": "export const Plain = 1;\n" });
    const before = snapshot(dir);
    const missing = scaffold(dir, "supervisor", "AppSup", "--child", "Nope");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Child Nope: src\/nope\.ts not found\. Generate it first/);
    const plain = scaffold(dir, "supervisor", "AppSup", "--child", "Plain");
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/Child Plain: src\/plain\.ts exports no GenServer/);
    const bad = scaffold(dir, "supervisor", "AppSup", "--child", "lower");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Invalid child module name "lower"/);
    expect(snapshot(dir)).toEqual(before);
  });
});
