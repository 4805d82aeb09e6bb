"use client";
// Cancel on the pending renewal request.
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { type CancelState, cancelRequestAction } from "@/lib/actions/renewal/cancel-request";

export function CancelRequestForm({ clusterId, requestId }: { clusterId: string; requestId: string }) {
  const t = useTranslations("pending");
  const [state, action, pending] = useActionState<CancelState, FormData>(cancelRequestAction, {});
  return (
    <form action={action} className="flex flex-col gap-2">
      <input type="hidden" name="clusterId" value={clusterId} />
      <input type="hidden" name="requestId" value={requestId} />
      <div>
        <Button type="submit" variant="danger" disabled={pending} aria-label={t("cancelLabel")}>
          {t("cancel")}
        </Button>
      </div>
      {state.message && <Alert tone={state.tone === "success" ? "success" : "error"}>{state.message}</Alert>}
    </form>
  );
}
