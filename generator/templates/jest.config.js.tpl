/** Jest config: the otpkit preset (TypeScript through @swc/jest, the helpers as globals). */
module.exports = {
  preset: "otpkit",
};
