/** Jest config: the otpkit preset (TypeScript through @swc/jest, the helpers as globals). */
{{#esm}}
export default {
  preset: "otpkit",
};
{{/esm}}
{{^esm}}
module.exports = {
  preset: "otpkit",
};
{{/esm}}
