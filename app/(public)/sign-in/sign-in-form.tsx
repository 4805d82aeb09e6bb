"use client";
// Sign-in form; errors come back from the server action and are announced.
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { signInAction } from "@/lib/console/actions/auth/sign-in";
import type { Labels } from "@/lib/platform/i18n/labels";

export type SignInLabels = Labels<"signIn.userName" | "signIn.password" | "signIn.submit">;

export function SignInForm({ next, labels }: { next: string; labels: SignInLabels }) {
  const [state, action, pending] = useActionState(signInAction, {});
  const message = state.data?.message ?? state.serverError ?? state.validationErrors?.formErrors[0];
  const fieldError = (name: "userName" | "password") => state.validationErrors?.fieldErrors[name]?.[0];
  return (
    <form action={action} className="flex flex-col gap-4" aria-describedby={message ? "sign-in-error" : undefined}>
      {message && (
        <Alert tone="error" id="sign-in-error">
          {message}
        </Alert>
      )}
      <input type="hidden" name="next" value={next} />
      <Field
        id="userName"
        name="userName"
        label={labels["signIn.userName"]}
        autoComplete="username"
        required
        maxLength={64}
        defaultValue={state.data?.userName}
        autoFocus
        error={fieldError("userName")}
      />
      <Field
        id="password"
        name="password"
        type="password"
        label={labels["signIn.password"]}
        autoComplete="current-password"
        required
        maxLength={1024}
        error={fieldError("password")}
      />
      <Button type="submit" disabled={pending}>
        {labels["signIn.submit"]}
      </Button>
    </form>
  );
}
