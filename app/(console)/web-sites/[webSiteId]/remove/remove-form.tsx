"use client";
// The typed confirmation of removing RMS: a native form posting to the server action, so it works without JavaScript too.
import { useActionState } from "react";
import { useFormStatus } from "react-dom";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { removeAction } from "@/lib/console/actions/provisioning/remove";
import type { Labels } from "@/lib/platform/i18n/labels";

/** The words of the form; the hint names the cluster, so it comes formatted. */
export type RemoveLabels = Labels<"remove.confirmLabel" | "remove.submit" | "remove.submitting"> & { confirmHint: string };

function Submit({ labels }: { labels: RemoveLabels }) {
  const { pending } = useFormStatus();
  return (
    <Button type="submit" variant="danger" disabled={pending}>
      {pending ? labels["remove.submitting"] : labels["remove.submit"]}
    </Button>
  );
}

export function RemoveForm({ webSiteId, clusterId, labels }: { webSiteId: string; clusterId: string; labels: RemoveLabels }) {
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
        label={labels["remove.confirmLabel"]}
        hint={labels.confirmHint}
        required
        maxLength={256}
        autoComplete="off"
        spellCheck={false}
        error={result?.confirmationError ? message : undefined}
      />
      <div>
        <Submit labels={labels} />
      </div>
    </form>
  );
}
