// Types of the otpkit Jest preset's globals and matchers: add "otpkit/jest" to compilerOptions.types.
import "./dist/jest-preset/globals";
