"use client";
// The provisioning form: a native form posting to the server action, so it works without JavaScript too.
import { useActionState } from "react";
import { useFormStatus } from "react-dom";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { provisionAction } from "@/lib/console/actions/provisioning/provision";
import type { Labels } from "@/lib/platform/i18n/labels";

export type ProvisionLabels = Labels<
  | "provision.form"
  | "provision.clusterName"
  | "provision.clusterNameHint"
  | "provision.clusterUrl"
  | "provision.clusterUrlHint"
  | "provision.configDatabase"
  | "provision.configDatabaseHint"
  | "provision.submit"
  | "provision.submitting"
>;

function Submit({ labels }: { labels: ProvisionLabels }) {
  const { pending } = useFormStatus();
  return (
    <Button type="submit" disabled={pending}>
      {pending ? labels["provision.submitting"] : labels["provision.submit"]}
    </Button>
  );
}

export function ProvisionForm({ webSiteId, labels }: { webSiteId: string; labels: ProvisionLabels }) {
  const [state, action] = useActionState(provisionAction, {});
  const result = state.data;
  const message = result?.message ?? state.serverError ?? state.validationErrors?.formErrors[0];
  const values = result?.values;
  return (
    <form action={action} className="flex flex-col gap-4" aria-label={labels["provision.form"]}>
      {message && (
        <Alert tone="error" id="provision-error">
          {message}
        </Alert>
      )}
      <input type="hidden" name="webSiteId" value={webSiteId} />
      <Field
        id="clusterName"
        name="clusterName"
        label={labels["provision.clusterName"]}
        hint={labels["provision.clusterNameHint"]}
        required
        maxLength={128}
        autoComplete="off"
        defaultValue={values?.clusterName}
        error={result?.fields?.clusterName}
      />
      <Field
        id="clusterUrl"
        name="clusterUrl"
        inputMode="url"
        label={labels["provision.clusterUrl"]}
        hint={labels["provision.clusterUrlHint"]}
        required
        maxLength={2048}
        autoComplete="off"
        spellCheck={false}
        defaultValue={values?.clusterUrl}
        error={result?.fields?.clusterUrl}
      />
      <Field
        id="configDatabase"
        name="configDatabase"
        label={labels["provision.configDatabase"]}
        hint={labels["provision.configDatabaseHint"]}
        required
        maxLength={123}
        autoComplete="off"
        spellCheck={false}
        defaultValue={values?.configDatabase}
        error={result?.fields?.configDatabase}
      />
      <div>
        <Submit labels={labels} />
      </div>
    </form>
  );
}
