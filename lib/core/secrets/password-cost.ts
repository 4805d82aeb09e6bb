// The scrypt cost of new password hashes. It is a module of its own so that one place states it: the integration
// tests' Vitest project substitutes a cheap cost for it (vitest.config.ts), and `password.test.ts` beside this file
// checks the real one.

/** N = 2^17, r = 8, p = 1: 128 MiB and about half a second of one core for every hash and every check. */
export const SCRYPT_COST = { N: 2 ** 17, r: 8, p: 1 } as const;
