// `"types": ["otpkit/jest"]`: the Jest preset's globals and matchers, from @otpkit/jest.
import "@otpkit/jest/globals";
