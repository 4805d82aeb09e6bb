"use client";
// The one-time form that creates the first administrator.
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { completeSetupAction, type SetupState } from "@/lib/actions/auth/complete-setup";

export function SetupForm({ token }: { token: string }) {
  const t = useTranslations();
  const [state, action, pending] = useActionState<SetupState, FormData>(completeSetupAction, {});
  return (
    <form action={action} className="flex flex-col gap-4">
      {state.message && <Alert tone="error">{state.message}</Alert>}
      <input type="hidden" name="token" value={token} />
      <Field
        id="userName"
        name="userName"
        label={t("signIn.userName")}
        autoComplete="username"
        required
        maxLength={64}
        defaultValue={state.userName}
      />
      <Field
        id="password"
        name="password"
        type="password"
        label={t("signIn.password")}
        autoComplete="new-password"
        required
        minLength={12}
        maxLength={1024}
      />
      <Field
        id="confirmPassword"
        name="confirmPassword"
        type="password"
        label={t("setup.confirmPassword")}
        autoComplete="new-password"
        required
        minLength={12}
        maxLength={1024}
      />
      <Button type="submit" disabled={pending}>
        {t("setup.submit")}
      </Button>
    </form>
  );
}
