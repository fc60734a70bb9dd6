/** `scaffold init`: the Jest preset and the tsconfig entries, never clobbering. */
import { existsSync } from "fs";
import { join } from "path";
import { project, read, scaffold, snapshot } from "./support";

describe("scaffold init", () => {
  it("creates jest.config.js and tsconfig.json when there are none; a second run has nothing to do", () => {
    const dir = project();
    const r = scaffold(dir, "init");
    expect(r.code).toBe(0);
    expect(read(dir, "jest.config.js")).toMatch(/preset: "otpkit"/);
    const ts = JSON.parse(read(dir, "tsconfig.json"));
    expect(ts.compilerOptions.types).toEqual(["jest", "otpkit/jest"]);
    expect(ts.compilerOptions.strict).toBe(true);
    const before = snapshot(dir);
    const again = scaffold(dir, "init");
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("nothing to do");
    expect(snapshot(dir)).toEqual(before);
  });

  it("adds to existing files, keeping their comments and settings", () => {
    const tsconfig =
      '{\n  // mine\n  "compilerOptions": {\n    "target": "ES2022",\n    "types": ["node"], // node types\n  },\n  "include": ["lib"],\n}\n';
    const jest = "// my config\nmodule.exports = {\n  testTimeout: 10000, // slow CI\n};\n";
    const dir = project({ "tsconfig.json": tsconfig, "jest.config.js": jest });
    expect(scaffold(dir, "init").code).toBe(0);
    expect(read(dir, "jest.config.js")).toBe(
      '// my config\nmodule.exports = {\n  preset: "otpkit",\n  testTimeout: 10000, // slow CI\n};\n',
    );
    const ts = read(dir, "tsconfig.json");
    expect(ts).toContain("// mine");
    expect(ts).toContain('"types": ["node", "jest", "otpkit/jest"], // node types');
    expect(ts).toContain('"strict": true');
    expect(ts).toContain('"include": ["lib"]');
    expect(scaffold(dir, "init").stdout).toContain("nothing to do");
  });

  it("a jest key in package.json gets the preset; tsconfig without compilerOptions gets them", () => {
    const dir = project({
      "package.json": '{\n  "name": "x",\n  "jest": {\n    "testTimeout": 1000\n  }\n}\n',
      "tsconfig.json": '{\n  "include": ["src"]\n}\n',
    });
    expect(scaffold(dir, "init").code).toBe(0);
    expect(JSON.parse(read(dir, "package.json")).jest).toEqual({
      testTimeout: 1000,
      preset: "otpkit",
    });
    expect(existsSync(join(dir, "jest.config.js"))).toBe(false);
    expect(JSON.parse(read(dir, "tsconfig.json"))).toEqual({
      include: ["src"],
      compilerOptions: { strict: true, types: ["jest", "otpkit/jest"] },
    });
  });

  it("another preset is a conflict: exit 1, nothing written", () => {
    const dir = project({ "jest.config.js": 'module.exports = { preset: "ts-jest" };\n' });
    const before = snapshot(dir);
    const r = scaffold(dir, "init");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/already sets preset \("ts-jest"\); not changing it/);
    expect(snapshot(dir)).toEqual(before);
  });

  it('"strict": false is left as it is, with a warning', () => {
    const dir = project({ "tsconfig.json": '{ "compilerOptions": { "strict": false } }\n' });
    const r = scaffold(dir, "init");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/warning: tsconfig\.json sets "strict": false/);
    const ts = JSON.parse(read(dir, "tsconfig.json"));
    expect(ts.compilerOptions).toEqual({ strict: false, types: ["jest", "otpkit/jest"] });
  });

  it("--dry-run writes nothing", () => {
    const dir = project();
    const r = scaffold(dir, "init", "--dry-run");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("would create jest.config.js");
    expect(r.stdout).toContain("would create tsconfig.json");
    expect(snapshot(dir)).toEqual({ ".prettierrc.json": "{}\n" });
  });
});
