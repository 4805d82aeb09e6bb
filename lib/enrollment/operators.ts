// The service's operators: who may approve or reject held enrollments on the operator page. Accounts are made with the
// CLI (shell access to the signing station); sign-in makes an 8-hour session whose token is stored only as a hash.
import { and, eq, gt, lt } from "drizzle-orm";
import { z } from "zod";
import { DUMMY_HASH, hashPassword, MAX_PASSWORD_LENGTH, verifyPassword } from "@/lib/core/secrets/password";
import { hashToken, newToken, TOKEN_PATTERN } from "@/lib/core/secrets/tokens";
import type { EnrollmentDb } from "./db/client";
import { operatorSessions, operators } from "./db/schema";

export const SESSION_HOURS = 8;
const MIN_OPERATOR_PASSWORD_LENGTH = 12;

export const operatorNameSchema = z
  .string()
  .trim()
  .min(1, "Enter the operator name.")
  .max(64, "Operator names can be at most 64 characters long.")
  .regex(/^[A-Za-z0-9._@-]+$/, "Operator names may use letters, digits and . _ @ - only.");

export const operatorPasswordSchema = z
  .string()
  .min(MIN_OPERATOR_PASSWORD_LENGTH, `Passwords must be at least ${MIN_OPERATOR_PASSWORD_LENGTH} characters long.`)
  .max(MAX_PASSWORD_LENGTH, `Passwords can be at most ${MAX_PASSWORD_LENGTH} characters long.`);

export async function addOperator(db: EnrollmentDb, name: string, password: string, now: Date): Promise<boolean> {
  const rows = await db
    .insert(operators)
    .values({ name, passwordHash: await hashPassword(password), createdAt: now })
    .onConflictDoNothing()
    .returning({ name: operators.name });
  return rows.length > 0;
}

export async function removeOperator(db: EnrollmentDb, name: string): Promise<boolean> {
  const rows = await db.delete(operators).where(eq(operators.name, name)).returning({ name: operators.name });
  return rows.length > 0;
}

export async function listOperators(db: EnrollmentDb): Promise<{ name: string; createdAt: Date }[]> {
  return db.select({ name: operators.name, createdAt: operators.createdAt }).from(operators).orderBy(operators.name);
}

/** A session token for a correct name and password; an unknown name costs the same hashing time as a known one. */
export async function signInOperator(db: EnrollmentDb, name: string, password: string, now: Date): Promise<string | null> {
  const [operator] = await db.select().from(operators).where(eq(operators.name, name)).limit(1);
  const ok = await verifyPassword(password, operator?.passwordHash ?? DUMMY_HASH);
  if (!operator || !ok) return null;
  const { token, tokenHash } = newToken();
  await db.delete(operatorSessions).where(lt(operatorSessions.expiresAt, now));
  await db.insert(operatorSessions).values({
    tokenHash,
    operator: operator.name,
    expiresAt: new Date(now.getTime() + SESSION_HOURS * 3_600_000),
  });
  return token;
}

export async function operatorForSession(db: EnrollmentDb, token: string | undefined, now: Date): Promise<string | null> {
  if (!token || !TOKEN_PATTERN.test(token)) return null;
  const [row] = await db
    .select({ operator: operatorSessions.operator })
    .from(operatorSessions)
    .where(and(eq(operatorSessions.tokenHash, hashToken(token)), gt(operatorSessions.expiresAt, now)))
    .limit(1);
  return row?.operator ?? null;
}

export async function signOutOperator(db: EnrollmentDb, token: string | undefined): Promise<void> {
  if (!token || !TOKEN_PATTERN.test(token)) return;
  await db.delete(operatorSessions).where(eq(operatorSessions.tokenHash, hashToken(token)));
}
