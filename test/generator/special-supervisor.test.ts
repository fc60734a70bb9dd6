/** `scaffold special` and `scaffold supervisor`, in memory. */
import { genserver } from "../../generator/commands/genserver";
import { special } from "../../generator/commands/special";
import { supervisor } from "../../generator/commands/supervisor";
import { INITIALIZED, failure, inMemory } from "./support";

describe("scaffold special", () => {
  it("writes a procLib/sys special process", async () => {
    const { files } = await inMemory(INITIALIZED, special, { name: "Channels" });
    const src = files["src/channels.ts"]!;
    expect(src).toContain("procLib.initAck(self, self.pid);");
    expect(src).toMatch(
      /sys\.handleSystemMsg\(\s*self,\s*msg,\s*parent,\s*Module,\s*debug,\s*state,?\s*\)/,
    );
    expect(src).toMatch(/sys\.handleDebug\(debug, sys\.defaultFormat, name/);
  });

  it("its test debugs it through sys, importing it with the project's specifier", async () => {
    const { files } = await inMemory(INITIALIZED, special, { name: "Channels" });
    expect(files["test/channels.test.ts"]).toContain('from "../src/channels.js"');
    expect(files["test/channels.test.ts"]).toContain("sys.suspend(pid)");
  });

  it("a bad name: exit 2", async () => {
    const e = await failure(inMemory(INITIALIZED, special, { name: "my-proc" }));
    expect([e.exitCode, e.message]).toEqual([2, expect.stringMatching(/use PascalCase/)]);
  });
});

describe("scaffold supervisor", () => {
  /** A project with a GenServer Cache, a special process Channels and a supervisor Inner of Cache. */
  async function withChildren() {
    let files = (await inMemory(INITIALIZED, genserver, { name: "Cache" })).files;
    files = (await inMemory(files, special, { name: "Channels" })).files;
    return (await inMemory(files, supervisor, { name: "Inner", child: ["Cache"] })).files;
  }

  it("writes child specs for GenServer, special and supervisor children, in order", async () => {
    const { files } = await inMemory(await withChildren(), supervisor, {
      name: "AppSup",
      child: ["Inner", "Channels"],
    });
    const src = files["src/app-sup.ts"]!;
    expect(src).toContain('import { Inner } from "./inner.js";');
    expect(src).toContain('import * as Channels from "./channels.js";');
    expect(src.indexOf('id: "inner"')).toBeLessThan(src.indexOf('id: "channels"'));
    expect(src).toContain("start: (sup: Self) => Supervisor.startLink(sup, Inner),");
    expect(src).toContain('type: "supervisor",');
    expect(src).toContain("start: (sup: Self) => Channels.startLink(sup),");
    expect(files["src/inner.ts"]).toContain(
      "start: (sup: Self) => Cache.startLink(sup, undefined),",
    );
    expect(files["test/app-sup.test.ts"]).toContain("restarts channels when it is killed");
  });

  it.each([
    [["Nope"], /Child Nope: src\/nope\.ts not found\. Generate it first/],
    [["Plain"], /Child Plain: src\/plain\.ts exports no GenServer/],
    [["lower"], /Invalid child module name "lower"/],
    [[], /--child needs a module name/],
  ])("--child %j: exit 2", async (child, message) => {
    const files = { ...INITIALIZED, "src/plain.ts": "export const Plain = 1;\n" };
    const e = await failure(inMemory(files, supervisor, { name: "AppSup", child }));
    expect([e.exitCode, e.message]).toEqual([2, expect.stringMatching(message)]);
  });
});
