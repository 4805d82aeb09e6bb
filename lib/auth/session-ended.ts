// "Your session has ended" vs. never signed in: the browser still sends a session cookie the server no longer accepts
// (idle or absolute timeout, signed out elsewhere, account changed). The cookie outlives the session for this reason.
import "server-only";
import { cookies } from "next/headers";
import { getActor, SESSION_COOKIE } from "./current";

export async function sessionEnded(): Promise<boolean> {
  if (!(await cookies()).has(SESSION_COOKIE)) return false;
  return (await getActor()) === null;
}
