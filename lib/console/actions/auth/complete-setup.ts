"use server";
// Redeems the one-time setup link: creates the first administrator, then sends the user to sign in.
import { redirect } from "next/navigation";
import { z } from "zod";
import { passwordSchema, userNameSchema } from "@/lib/console/auth/accounts";
import { getRemoteAddress } from "@/lib/console/auth/current";
import { redeemSetupToken } from "@/lib/console/auth/setup-tokens";
import { getDb } from "@/lib/console/db";
import { getTranslator } from "@/lib/platform/i18n/server";
import { actionClient, formSchema, localizedErrors } from "../safe-action";
import { SETUP_TOKEN_MESSAGES } from "./setup-messages";

const setupSchema = z
  .object({
    token: z.string().min(16).max(128),
    userName: userNameSchema,
    password: passwordSchema,
    confirmPassword: z.string().max(1024),
  })
  .refine((v) => v.password === v.confirmPassword, { path: ["confirmPassword"] });

export const completeSetupAction = actionClient
  .metadata({ actionName: "completeSetupAction" })
  .inputSchema(formSchema(setupSchema), {
    handleValidationErrorsShape: localizedErrors({
      fields: { userName: "setup.badUserName", password: "setup.weak", confirmPassword: "setup.mismatch" },
      form: "setup.invalidToken",
    }),
  })
  .stateAction(async ({ parsedInput }): Promise<{ message: string }> => {
    const { t } = await getTranslator();
    const result = await redeemSetupToken(await getDb(), {
      token: parsedInput.token,
      userName: parsedInput.userName,
      password: parsedInput.password,
      now: new Date(),
      remoteAddress: await getRemoteAddress(),
    });
    if (!result.ok) {
      const key = result.code in SETUP_TOKEN_MESSAGES ? SETUP_TOKEN_MESSAGES[result.code as keyof typeof SETUP_TOKEN_MESSAGES] : undefined;
      return { message: t(key ?? "setup.invalidToken") };
    }
    redirect("/sign-in?setup=done");
  });
