"use client";
// The one-time form that creates the first administrator.
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { completeSetupAction } from "@/lib/console/actions/auth/complete-setup";
import type { Labels } from "@/lib/platform/i18n/labels";

type SetupField = "userName" | "password" | "confirmPassword";
type SetupResult = Awaited<ReturnType<typeof completeSetupAction>> & { userName?: string };

export type SetupLabels = Labels<"signIn.userName" | "signIn.password" | "setup.confirmPassword" | "setup.submit">;

export function SetupForm({ token, labels }: { token: string; labels: SetupLabels }) {
  // The form resets after each post, so the typed user name is kept beside the action's result and shown again.
  const [state, action, pending] = useActionState(
    async (previous: SetupResult, formData: FormData): Promise<SetupResult> => ({
      ...(await completeSetupAction(previous, formData)),
      userName: String(formData.get("userName") ?? "").slice(0, 64),
    }),
    {},
  );
  const message = state.data?.message ?? state.serverError ?? state.validationErrors?.formErrors[0];
  const fieldError = (name: SetupField) => state.validationErrors?.fieldErrors[name]?.[0];
  return (
    <form action={action} className="flex flex-col gap-4">
      {message && <Alert tone="error">{message}</Alert>}
      <input type="hidden" name="token" value={token} />
      <Field
        id="userName"
        name="userName"
        label={labels["signIn.userName"]}
        autoComplete="username"
        required
        maxLength={64}
        defaultValue={state.userName}
        error={fieldError("userName")}
      />
      <Field
        id="password"
        name="password"
        type="password"
        label={labels["signIn.password"]}
        autoComplete="new-password"
        required
        minLength={12}
        maxLength={1024}
        error={fieldError("password")}
      />
      <Field
        id="confirmPassword"
        name="confirmPassword"
        type="password"
        label={labels["setup.confirmPassword"]}
        autoComplete="new-password"
        required
        minLength={12}
        maxLength={1024}
        error={fieldError("confirmPassword")}
      />
      <Button type="submit" disabled={pending}>
        {labels["setup.submit"]}
      </Button>
    </form>
  );
}
