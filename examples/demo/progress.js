/**
 * The demo's progress indicator, written once for both its users: the
 * build step of `npm run demo` (run-demo.js, plain JavaScript: it runs
 * before anything is compiled) and the demo's slow steps (demo.ts, which
 * loads this file from the repository, see paths.ts). On stderr, so stdout
 * stays the narrative: a spinner with the elapsed time when stdout and
 * stderr are terminals; otherwise one plain line as the step starts.
 */
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const live = process.stdout.isTTY === true && process.stderr.isTTY === true;

/**
 * Runs `work`, showing `what` while it runs.
 * @template T
 * @param {string} what
 * @param {() => Promise<T>} work
 * @returns {Promise<T>}
 */
async function withProgress(what, work) {
  if (!live) {
    process.stderr.write(`… ${what}\n`);
    return work();
  }
  const t0 = Date.now();
  let i = 0;
  const draw = () => {
    const s = ((Date.now() - t0) / 1000).toFixed(1);
    process.stderr.write(`\r\u001b[2K  ${FRAMES[i++ % FRAMES.length]} ${what} ${s} s`);
  };
  draw();
  const timer = setInterval(draw, 80);
  try {
    return await work();
  } finally {
    clearInterval(timer);
    process.stderr.write("\r\u001b[2K");
  }
}

module.exports = { withProgress };
