"use client";
// One re-key step as a plain form posting to the page's action (the pressed button's intent names the step), so it works
// without JavaScript; success redirects back to the page, a refusal comes back here and is shown under the form.
import { type ReactNode, useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { rekeyStepAction } from "@/lib/console/actions/rekey/rekey-step";

export function RekeyStepForm({ clusterId, children, className }: { clusterId: string; children: ReactNode; className?: string }) {
  const [state, action] = useActionState(rekeyStepAction, {});
  const message = state.data?.message ?? state.serverError ?? state.validationErrors?.formErrors[0];
  return (
    <form action={action} className={className}>
      <input type="hidden" name="clusterId" value={clusterId} />
      {children}
      {message && (
        <Alert tone="error" className="mt-3">
          {message}
        </Alert>
      )}
    </form>
  );
}
