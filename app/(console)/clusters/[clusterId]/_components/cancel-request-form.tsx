"use client";
// Cancel on the pending renewal request.
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { cancelRequestAction } from "@/lib/actions/renewal/cancel-request";

export function CancelRequestForm({ clusterId, requestId }: { clusterId: string; requestId: string }) {
  const t = useTranslations("pending");
  const [state, action, pending] = useActionState(cancelRequestAction, {});
  // Success redirects, so anything that comes back is a failure to show.
  const message = state.data?.message ?? state.serverError ?? state.validationErrors?.formErrors[0];
  return (
    <form action={action} className="flex flex-col gap-2">
      <input type="hidden" name="clusterId" value={clusterId} />
      <input type="hidden" name="requestId" value={requestId} />
      <div>
        <Button type="submit" variant="danger" disabled={pending} aria-label={t("cancelLabel")}>
          {t("cancel")}
        </Button>
      </div>
      {message && <Alert tone="error">{message}</Alert>}
    </form>
  );
}
