// "Your session has ended" vs. never signed in: the browser still sends a session cookie the server no longer accepts
// (idle or absolute timeout, signed out elsewhere, account changed). The cookie outlives the session for this reason.
import "server-only";
import { getActor, getSessionToken } from "./current";

export async function sessionEnded(): Promise<boolean> {
  if ((await getSessionToken()) === null) return false;
  return (await getActor()) === null;
}
