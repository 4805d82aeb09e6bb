"use client";
// Cancel request on the pending renewal request: a disclosure says what cancelling means and holds the confirming
// button (a plain form, so it works without JavaScript); the server redirects back with the outcome.
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { cancelRequestAction } from "@/lib/actions/renewal/cancel-request";
import type { Labels } from "@/lib/i18n/labels";
import { SubmitButton } from "./submit-button";

export function CancelRequestForm({
  clusterId,
  requestId,
  labels,
}: {
  clusterId: string;
  requestId: string;
  labels: Labels<"pending.cancelRequest" | "pending.cancelExplain" | "pending.cancelConfirm">;
}) {
  const [state, action] = useActionState(cancelRequestAction, {});
  // Success redirects, so anything that comes back is a failure to show.
  const message = state.data?.message ?? state.serverError ?? state.validationErrors?.formErrors[0];
  return (
    <details className="group flex-1 basis-64" open={message !== undefined || undefined}>
      <summary className="inline-flex cursor-pointer list-none items-center rounded-md border border-red-300 bg-white px-4 py-2 text-sm font-semibold text-red-700 shadow-sm hover:bg-red-50 [&::-webkit-details-marker]:hidden">
        {labels["pending.cancelRequest"]}
      </summary>
      <form action={action} className="mt-3 flex flex-col gap-3 rounded-md border border-red-200 bg-white p-3">
        <input type="hidden" name="clusterId" value={clusterId} />
        <input type="hidden" name="requestId" value={requestId} />
        <p className="text-sm text-slate-800">{labels["pending.cancelExplain"]}</p>
        <div>
          <SubmitButton variant="danger" busyText={labels["pending.cancelConfirm"]}>
            {labels["pending.cancelConfirm"]}
          </SubmitButton>
        </div>
        {message && <Alert tone="error">{message}</Alert>}
      </form>
    </details>
  );
}
