"use client";
// The notification channels an administrator can set here; a channel the environment configures is shown read-only
// on the page instead. Secret fields are never filled in: left blank, the stored secret stays.
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import {
  type EchoedSettings,
  type SaveNotificationSettingsResult,
  saveNotificationSettingsAction,
} from "@/lib/console/actions/settings/save-notification-settings";
import type { Labels } from "@/lib/platform/i18n/labels";

export type NotificationSettingsLabels = Labels<
  | "settingsForm.heading"
  | "settingsForm.webhookLegend"
  | "settingsForm.overriddenByEnv"
  | "settingsForm.webhookUrl"
  | "settingsForm.webhookSecret"
  | "settingsForm.webhookSecretStored"
  | "settingsForm.emailLegend"
  | "settingsForm.smtpHost"
  | "settingsForm.smtpPort"
  | "settingsForm.smtpUser"
  | "settingsForm.smtpPassword"
  | "settingsForm.smtpPasswordStored"
  | "settingsForm.emailFrom"
  | "settingsForm.emailTo"
  | "settingsForm.smtpCaPem"
  | "settingsForm.smtpCaPemHint"
  | "settingsForm.secretsNote"
  | "settingsForm.save"
>;

export interface NotificationSettingsValues {
  webhookUrl: string;
  hasWebhookSecret: boolean;
  smtpHost: string;
  smtpPort: number;
  smtpUser: string;
  hasSmtpPassword: boolean;
  smtpCaPem: string;
  emailFrom: string;
  emailTo: string;
}

export function NotificationSettingsForm({
  values,
  webhookFromEnv,
  emailFromEnv,
  labels,
}: {
  values: NotificationSettingsValues;
  webhookFromEnv: boolean;
  emailFromEnv: boolean;
  labels: NotificationSettingsLabels;
}) {
  const [state, action, pending] = useActionState(saveNotificationSettingsAction, {});
  const fieldError = (name: keyof NonNullable<SaveNotificationSettingsResult["fieldErrors"]>) => state.data?.fieldErrors?.[name];
  const formError = state.serverError ?? (state.data?.saved === false ? state.data.message : undefined);
  // After a refusal the form shows what was typed (the action echoes it, secrets excepted); otherwise what is stored.
  const typed = state.data?.saved === false ? state.data.values : undefined;
  const value = (name: keyof EchoedSettings, stored: string | number) => typed?.[name] ?? String(stored);
  return (
    <form action={action} className="flex flex-col gap-6" aria-labelledby="notification-settings-heading">
      <h3 id="notification-settings-heading" className="text-base font-semibold">
        {labels["settingsForm.heading"]}
      </h3>
      {formError && <Alert tone="error">{formError}</Alert>}
      {state.data?.saved && <Alert tone="success">{state.data.message}</Alert>}
      <fieldset className="flex flex-col gap-4">
        <legend className="mb-2 text-sm font-semibold text-slate-800">{labels["settingsForm.webhookLegend"]}</legend>
        {webhookFromEnv && <p className="text-sm text-slate-600">{labels["settingsForm.overriddenByEnv"]}</p>}
        <Field
          id="webhookUrl"
          name="webhookUrl"
          type="url"
          label={labels["settingsForm.webhookUrl"]}
          defaultValue={value("webhookUrl", values.webhookUrl)}
          placeholder="https://hooks.contoso.com/rms"
          maxLength={2048}
          error={fieldError("webhookUrl")}
        />
        <Field
          id="webhookSecret"
          name="webhookSecret"
          type="password"
          autoComplete="new-password"
          label={values.hasWebhookSecret ? labels["settingsForm.webhookSecretStored"] : labels["settingsForm.webhookSecret"]}
          minLength={16}
          maxLength={1024}
          error={fieldError("webhookSecret")}
        />
      </fieldset>
      <fieldset className="flex flex-col gap-4">
        <legend className="mb-2 text-sm font-semibold text-slate-800">{labels["settingsForm.emailLegend"]}</legend>
        {emailFromEnv && <p className="text-sm text-slate-600">{labels["settingsForm.overriddenByEnv"]}</p>}
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-3">
          <div className="sm:col-span-2">
            <Field
              id="smtpHost"
              name="smtpHost"
              label={labels["settingsForm.smtpHost"]}
              defaultValue={value("smtpHost", values.smtpHost)}
              maxLength={253}
              error={fieldError("smtpHost")}
            />
          </div>
          <Field
            id="smtpPort"
            name="smtpPort"
            type="number"
            inputMode="numeric"
            min={1}
            max={65535}
            label={labels["settingsForm.smtpPort"]}
            defaultValue={value("smtpPort", values.smtpPort)}
            error={fieldError("smtpPort")}
          />
        </div>
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
          <Field
            id="smtpUser"
            name="smtpUser"
            autoComplete="off"
            label={labels["settingsForm.smtpUser"]}
            defaultValue={value("smtpUser", values.smtpUser)}
            maxLength={256}
            error={fieldError("smtpUser")}
          />
          <Field
            id="smtpPassword"
            name="smtpPassword"
            type="password"
            autoComplete="new-password"
            label={values.hasSmtpPassword ? labels["settingsForm.smtpPasswordStored"] : labels["settingsForm.smtpPassword"]}
            maxLength={1024}
            error={fieldError("smtpPassword")}
          />
        </div>
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
          <Field
            id="emailFrom"
            name="emailFrom"
            type="email"
            label={labels["settingsForm.emailFrom"]}
            defaultValue={value("emailFrom", values.emailFrom)}
            maxLength={320}
            error={fieldError("emailFrom")}
          />
          <Field
            id="emailTo"
            name="emailTo"
            label={labels["settingsForm.emailTo"]}
            defaultValue={value("emailTo", values.emailTo)}
            maxLength={4000}
            error={fieldError("emailTo")}
          />
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor="smtpCaPem" className="text-sm font-medium text-slate-800">
            {labels["settingsForm.smtpCaPem"]}
          </label>
          <textarea
            id="smtpCaPem"
            name="smtpCaPem"
            rows={4}
            defaultValue={value("smtpCaPem", values.smtpCaPem)}
            placeholder="-----BEGIN CERTIFICATE-----"
            aria-invalid={fieldError("smtpCaPem") ? true : undefined}
            aria-describedby={fieldError("smtpCaPem") ? "smtpCaPem-error" : "smtpCaPem-hint"}
            className="rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs shadow-sm focus:border-brand-600 focus:outline-none focus:ring-2 focus:ring-brand-100"
          />
          {fieldError("smtpCaPem") ? (
            <p id="smtpCaPem-error" className="text-sm text-red-800">
              {fieldError("smtpCaPem")}
            </p>
          ) : (
            <p id="smtpCaPem-hint" className="text-sm text-slate-600">
              {labels["settingsForm.smtpCaPemHint"]}
            </p>
          )}
        </div>
      </fieldset>
      <p className="text-sm text-slate-600">{labels["settingsForm.secretsNote"]}</p>
      <div>
        <Button type="submit" disabled={pending}>
          {labels["settingsForm.save"]}
        </Button>
      </div>
    </form>
  );
}
