import { describe, expect, it } from "vitest";
import { DUMMY_HASH, hashPassword, needsRehash, verifyPassword } from "./password";

// The real cost. The integration tests hash at a cheap one (tests/support/password-cost.ts); every other property of
// the hashes is tested there, in tests/integration/password.test.ts.
describe("password hashing at the cost the programs use", () => {
  it("hashes new passwords with scrypt at N = 2^17, r = 8, p = 1, and verifies them", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(hash).toMatch(/^scrypt\$131072\$8\$1\$[A-Za-z0-9+/=]{44}\$[A-Za-z0-9+/=]{88}$/);
    expect(needsRehash(hash)).toBe(false);
    expect(await verifyPassword("correct horse battery staple", hash)).toBe(true);
  });

  it("checks an unknown user's password against a dummy hash of the same cost", () => {
    expect(DUMMY_HASH).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(needsRehash(DUMMY_HASH)).toBe(false);
  });
});
