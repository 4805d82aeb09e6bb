// The scrypt cost in the integration tests (vitest.config.ts puts it in place of lib/core/secrets/password-cost.ts).
// Those files sign in, set up accounts and verify unknown users a few hundred times per run; at the real cost that was
// about a quarter of their CPU time. Every path still runs exactly one scrypt, so the tests that count them still
// prove that every path does the same work. The unit test lib/core/secrets/password.test.ts checks the real cost,
// and the system tests and the walkthroughs run the built programs, which use it.
export const SCRYPT_COST = { N: 2 ** 10, r: 8, p: 1 } as const;
