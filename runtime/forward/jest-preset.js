/**
 * `preset: "otpkit"` in a Jest config: forwards to the preset of
 * `@otpkit/jest`, the development package that holds it (the runtime itself
 * has no dependencies and never loads this file).
 */
let preset;
try {
  preset = require("@otpkit/jest/jest-preset");
} catch (e) {
  if (e && e.code === "MODULE_NOT_FOUND" && String(e.message).includes("@otpkit/jest"))
    throw new Error(
      'preset "otpkit": the Jest preset lives in @otpkit/jest. Install it: npm i -D @otpkit/jest',
      { cause: e },
    );
  throw e;
}
module.exports = preset;
