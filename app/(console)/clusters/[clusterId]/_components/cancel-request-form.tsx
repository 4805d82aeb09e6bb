"use client";
// Cancel request on the pending renewal request: a disclosure says what cancelling means and holds the confirming
// button (a plain form, so it works without JavaScript); the server redirects back with the outcome. The disclosure's
// summary and explanation are rendered by the server; this component adds the form's state.
import { type ReactNode, useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { cancelRequestAction } from "@/lib/console/actions/renewal/cancel-request";
import { SubmitButton } from "./submit-button";

export function CancelRequestForm({
  clusterId,
  requestId,
  summary,
  confirm,
  children,
}: {
  clusterId: string;
  requestId: string;
  /** The disclosure's <summary>. */
  summary: ReactNode;
  /** The confirming button's label. */
  confirm: string;
  /** What cancelling means, above the button. */
  children: ReactNode;
}) {
  const [state, action] = useActionState(cancelRequestAction, {});
  // Success redirects, so anything that comes back is a failure to show.
  const message = state.data?.message ?? state.serverError ?? state.validationErrors?.formErrors[0];
  return (
    <details className="group flex-1 basis-64" open={message !== undefined || undefined}>
      {summary}
      <form action={action} className="mt-3 flex flex-col gap-3 rounded-md border border-red-200 bg-white p-3">
        <input type="hidden" name="clusterId" value={clusterId} />
        <input type="hidden" name="requestId" value={requestId} />
        {children}
        <div>
          <SubmitButton variant="danger" busyText={confirm}>
            {confirm}
          </SubmitButton>
        </div>
        {message && <Alert tone="error">{message}</Alert>}
      </form>
    </details>
  );
}
