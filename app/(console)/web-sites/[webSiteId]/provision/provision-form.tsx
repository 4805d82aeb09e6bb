"use client";
// The provisioning form: a native form posting to the server action, so it works without JavaScript too.
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { useFormStatus } from "react-dom";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { provisionAction } from "@/lib/actions/provisioning/provision";

function Submit() {
  const t = useTranslations("provision");
  const { pending } = useFormStatus();
  return (
    <Button type="submit" disabled={pending}>
      {pending ? t("submitting") : t("submit")}
    </Button>
  );
}

export function ProvisionForm({ webSiteId }: { webSiteId: string }) {
  const t = useTranslations("provision");
  const [state, action] = useActionState(provisionAction, {});
  const result = state.data;
  const message = result?.message ?? state.serverError ?? state.validationErrors?.formErrors[0];
  const values = result?.values;
  return (
    <form action={action} className="flex flex-col gap-4" aria-label={t("form")}>
      {message && (
        <Alert tone="error" id="provision-error">
          {message}
        </Alert>
      )}
      <input type="hidden" name="webSiteId" value={webSiteId} />
      <Field
        id="clusterName"
        name="clusterName"
        label={t("clusterName")}
        hint={t("clusterNameHint")}
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
        label={t("clusterUrl")}
        hint={t("clusterUrlHint")}
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
        label={t("configDatabase")}
        hint={t("configDatabaseHint")}
        required
        maxLength={123}
        autoComplete="off"
        spellCheck={false}
        defaultValue={values?.configDatabase}
        error={result?.fields?.configDatabase}
      />
      <div>
        <Submit />
      </div>
    </form>
  );
}
