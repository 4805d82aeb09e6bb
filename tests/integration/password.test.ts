import { describe, expect, it } from "vitest";
import {
  DUMMY_HASH,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  needsRehash,
  PasswordTooLongError,
  verifyPassword,
} from "@/lib/core/secrets/password";

describe("password hashing", () => {
  // At the integration tests' cost (tests/support/password-cost.ts); password.test.ts beside password.ts checks the real one.
  it("hashes in the self-describing scrypt format and verifies", async () => {
    const hash = await hashPassword("correct horse battery staple");
    expect(hash).toMatch(/^scrypt\$[0-9]+\$8\$1\$[A-Za-z0-9+/=]{44}\$[A-Za-z0-9+/=]{88}$/);
    expect(await verifyPassword("correct horse battery staple", hash)).toBe(true);
    expect(await verifyPassword("correct horse battery stapl", hash)).toBe(false);
    expect(await verifyPassword("", hash)).toBe(false);
  });

  it("salts every hash", async () => {
    expect(await hashPassword("same")).not.toBe(await hashPassword("same"));
  });

  it("does not truncate long passwords and refuses over-long ones", async () => {
    const long = "a".repeat(MAX_PASSWORD_LENGTH);
    const hash = await hashPassword(long);
    expect(await verifyPassword(long, hash)).toBe(true);
    expect(await verifyPassword(`${"a".repeat(MAX_PASSWORD_LENGTH - 1)}b`, hash)).toBe(false);
    await expect(hashPassword("a".repeat(MAX_PASSWORD_LENGTH + 1))).rejects.toBeInstanceOf(PasswordTooLongError);
    expect(await verifyPassword("a".repeat(MAX_PASSWORD_LENGTH + 1), hash)).toBe(false);
  });

  it("treats canonically equivalent Unicode the same", async () => {
    const hash = await hashPassword("Ångström-lösenord");
    expect(await verifyPassword("A\u030angstro\u0308m-lo\u0308senord", hash)).toBe(true);
  });

  it("never accepts the dummy hash or a malformed hash", async () => {
    expect(await verifyPassword("anything", DUMMY_HASH)).toBe(false);
    expect(await verifyPassword("", DUMMY_HASH)).toBe(false);
    expect(await verifyPassword("x", "not-a-hash")).toBe(false);
    expect(await verifyPassword("x", "scrypt$1073741824$8$1$AAAA$AAAA")).toBe(false);
  });

  it("asks for a rehash when the parameters are not the current ones", async () => {
    expect(needsRehash(await hashPassword("pw"))).toBe(false);
    expect(needsRehash(DUMMY_HASH)).toBe(false);
    expect(needsRehash("bcrypt$whatever")).toBe(true);
    const weak = `scrypt$16384$8$1$${Buffer.alloc(32, 1).toString("base64")}$${Buffer.alloc(64, 2).toString("base64")}`;
    expect(needsRehash(weak)).toBe(true);
  });
});
