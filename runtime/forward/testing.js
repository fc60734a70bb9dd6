/** `otpkit/testing`: the Jest helpers, from @otpkit/jest (npm i -D @otpkit/jest). */
module.exports = require("@otpkit/jest");
