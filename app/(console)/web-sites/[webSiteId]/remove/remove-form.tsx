"use client";
// The typed confirmation of removing RMS: a native form posting to the server action, so it works without JavaScript too.
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { useFormStatus } from "react-dom";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { removeAction } from "@/lib/actions/provisioning/remove";

function Submit() {
  const t = useTranslations("remove");
  const { pending } = useFormStatus();
  return (
    <Button type="submit" variant="danger" disabled={pending}>
      {pending ? t("submitting") : t("submit")}
    </Button>
  );
}

export function RemoveForm({ webSiteId, clusterId, clusterName }: { webSiteId: string; clusterId: string; clusterName: string }) {
  const t = useTranslations("remove");
  const [state, action] = useActionState(removeAction, {});
  const result = state.data;
  const message = result?.message ?? state.serverError ?? state.validationErrors?.formErrors[0];
  return (
    <form action={action} className="flex flex-col gap-4">
      {message && !result?.confirmationError && <Alert tone="error">{message}</Alert>}
      <input type="hidden" name="webSiteId" value={webSiteId} />
      <input type="hidden" name="clusterId" value={clusterId} />
      <Field
        id="confirmation"
        name="confirmation"
        label={t("confirmLabel")}
        hint={t("confirmHint", { cluster: clusterName })}
        required
        maxLength={256}
        autoComplete="off"
        spellCheck={false}
        error={result?.confirmationError ? message : undefined}
      />
      <div>
        <Submit />
      </div>
    </form>
  );
}
