// Types of the otpkit Jest preset's globals and matchers: add "otpkit/jest" to compilerOptions.types.
/// <reference path="./dist/jest-preset/globals.d.ts" />
export {};
