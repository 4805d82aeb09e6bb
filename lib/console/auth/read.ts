// What the sign-in and setup pages read, through the console's own database handle (server-only, read once per
// request), so neither page holds a handle. Both are public pages: these reads say only whether setup is pending and
// why a setup link cannot be used, never anything about an account.
import "server-only";
import { cache } from "react";
import { getDb } from "@/lib/console/db";
import { inspectSetupToken, needsSetup } from "./setup-tokens";

/** Whether no administrator exists yet (the first one is made with a setup link). */
export const readSetupPending = cache(async () => needsSetup(await getDb()));

/** The setup link's token looked at, not used up: usable, or why not. */
export const readSetupToken = cache(async (token: string) => inspectSetupToken(await getDb(), token, new Date()));
