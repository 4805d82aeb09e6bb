"use server";
// Redeems the one-time setup link: creates the first administrator, then sends the user to sign in.
import { redirect } from "next/navigation";
import { z } from "zod";
import { userNameSchema } from "@/lib/auth/accounts";
import { getRemoteAddress } from "@/lib/auth/current";
import { redeemSetupToken } from "@/lib/auth/setup-tokens";
import { getDb } from "@/lib/db";
import { getTranslator } from "@/lib/i18n/server";

const setupSchema = z
  .object({
    token: z.string().min(16).max(128),
    userName: userNameSchema,
    password: z.string().min(12, "setup.weak").max(1024, "setup.weak"),
    confirmPassword: z.string().max(1024),
  })
  .refine((v) => v.password === v.confirmPassword, { message: "setup.mismatch", path: ["confirmPassword"] });

export interface SetupState {
  message?: string;
  userName?: string;
}

export async function completeSetupAction(_previous: SetupState, formData: FormData): Promise<SetupState> {
  const { t } = await getTranslator();
  const parsed = setupSchema.safeParse(
    Object.fromEntries(["token", "userName", "password", "confirmPassword"].map((k) => [k, formData.get(k) ?? ""])),
  );
  const userName = String(formData.get("userName") ?? "").slice(0, 64);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key =
      issue?.path[0] === "token"
        ? "invalidToken"
        : issue?.path[0] === "userName"
          ? "badUserName"
          : issue?.message === "setup.mismatch"
            ? "mismatch"
            : "weak";
    return { message: t(`setup.${key}`), userName };
  }
  const result = await redeemSetupToken(await getDb(), {
    token: parsed.data.token,
    userName: parsed.data.userName,
    password: parsed.data.password,
    now: new Date(),
    remoteAddress: await getRemoteAddress(),
  });
  if (!result.ok) return { message: t("setup.invalidToken"), userName };
  redirect("/sign-in?setup=done");
}
