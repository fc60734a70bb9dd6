/**
 * Random mode's choice log (issue 12, point 4): it costs nothing when nobody
 * will replay or shrink (the seed alone replays a run), and is kept only when
 * asked for.
 */
import { createNode } from "otpkit";

async function spawnExit(keepChoices: boolean | undefined) {
  const node = createNode({ mode: "random", seed: 3, keepChoices });
  for (let i = 0; i < 2000; i++) node.spawn(() => {});
  await node.awaitExit(node.spawn(() => {}));
  const log = node.scheduler.choices;
  node.shutdown();
  return log;
}

describe("random mode's choice log", () => {
  it("is not kept by default: a long random run logs nothing", async () => {
    expect(await spawnExit(undefined)).toBeNull();
  });

  it("is kept when asked for (explore's shrinking), one entry per choice", async () => {
    const log = await spawnExit(true);
    expect(log).not.toBeNull();
    expect(log!.length).toBeGreaterThan(2000);
  });
});
