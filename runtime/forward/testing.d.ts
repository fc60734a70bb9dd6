// `otpkit/testing`: the Jest helpers, from @otpkit/jest.
export * from "@otpkit/jest";
