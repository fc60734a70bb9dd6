/**
 * A progress indicator for the slow steps, on stderr so stdout stays the
 * narrative: a spinner with the elapsed time when stdout and stderr are
 * terminals; otherwise one plain line as the step starts.
 */
const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
const live = process.stdout.isTTY === true && process.stderr.isTTY === true;

/** Runs `work`, showing `what` while it runs. */
export async function withProgress<T>(what: string, work: () => Promise<T>): Promise<T> {
  if (!live) {
    process.stderr.write(`… ${what}\n`);
    return work();
  }
  const t0 = performance.now();
  let i = 0;
  const draw = () => {
    const s = ((performance.now() - t0) / 1000).toFixed(1);
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
