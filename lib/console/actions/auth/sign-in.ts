"use server";
// Signs a user in: zod-validated form, throttled and audited by lib/console/auth/sign-in, session cookie set.
import { redirect } from "next/navigation";
import { z } from "zod";
import { getDeviceToken, getRemoteAddress, getSessionToken, setDeviceCookie, setSessionCookie } from "@/lib/console/auth/current";
import { directoryConfigFrom } from "@/lib/console/auth/directory";
import { destroySession } from "@/lib/console/auth/sessions";
import { signIn } from "@/lib/console/auth/sign-in";
import { getDb } from "@/lib/console/db";
import { env } from "@/lib/console/env";
import { safeNextPath } from "@/lib/console/safe-next-path";
import { getTranslator } from "@/lib/platform/i18n/server";
import { actionClient, formSchema, localizedErrors } from "../safe-action";

const signInSchema = z.object({
  userName: z.string().trim().min(1).max(256),
  password: z.string().min(1).max(1024),
  next: z.string().max(2048).optional(),
});

export const signInAction = actionClient
  .metadata({ actionName: "signInAction" })
  .inputSchema(formSchema(signInSchema), {
    handleValidationErrorsShape: localizedErrors({ fields: { userName: "signIn.badInput", password: "signIn.badInput" } }),
  })
  .stateAction(async ({ parsedInput: { userName, password, next } }): Promise<{ message: string; userName: string }> => {
    const { t } = await getTranslator();
    const db = await getDb();
    const result = await signIn(db, {
      userName,
      password,
      remoteAddress: await getRemoteAddress(),
      now: new Date(),
      idleMinutes: env().RMS_SESSION_IDLE_MINUTES,
      maxHours: env().RMS_SESSION_MAX_HOURS,
      deviceToken: await getDeviceToken(),
      directory: directoryConfigFrom(env()),
      localAccounts: env().RMS_LOCAL_ACCOUNTS === "on",
    });
    if (!result.ok) {
      const message =
        result.code === "throttled"
          ? t("signIn.throttled", { seconds: result.retryAfterSeconds ?? 60 })
          : result.code === "directory_unavailable"
            ? t("signIn.directoryUnavailable")
            : result.code === "restricted"
              ? t(`signIn.restricted.${result.restriction}`)
              : t("signIn.invalid");
      return { message, userName };
    }
    // A new session at each sign-in, and the one this browser held before ends: a session token planted in the
    // browser before sign-in (session fixation) is worth nothing after it.
    const previous = await getSessionToken();
    if (previous) await destroySession(db, previous);
    await setSessionCookie(result.token);
    if (result.device) await setDeviceCookie(result.device);
    redirect(safeNextPath(next));
  });
