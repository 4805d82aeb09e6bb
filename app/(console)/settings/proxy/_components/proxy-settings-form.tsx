"use client";
// The RMS proxy settings form, in TechNet's order: the proxy checkbox, address and port, the local-address bypass and
// exceptions, then authentication. Every field is always shown (no JavaScript needed); the password is never filled in:
// left blank, the stored one stays.
import { useActionState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import {
  type EchoedProxySettings,
  type SaveProxySettingsState,
  saveProxySettingsAction,
} from "@/lib/console/actions/settings/save-proxy-settings";
import type { Labels } from "@/lib/platform/i18n/labels";
import type { PROXY_FORM_LABELS } from "./proxy-labels";

interface ProxyFormValues {
  enabled: boolean;
  address: string;
  port: string;
  bypassLocal: boolean;
  bypass: string;
  authRequired: boolean;
  user: string;
  hasPassword: boolean;
  domain: string;
}

function Checkbox({ name, label, checked, hint }: { name: string; label: string; checked: boolean; hint?: string }) {
  return (
    <div className="flex items-start gap-2">
      <input
        id={name}
        name={name}
        type="checkbox"
        defaultChecked={checked}
        aria-describedby={hint ? `${name}-hint` : undefined}
        className="mt-0.5 size-4 shrink-0 accent-brand-600"
      />
      <div className="flex flex-col gap-0.5">
        <label htmlFor={name} className="text-sm font-medium text-slate-800">
          {label}
        </label>
        {hint && (
          <p id={`${name}-hint`} className="text-xs text-slate-600">
            {hint}
          </p>
        )}
      </div>
    </div>
  );
}

export function ProxySettingsForm({ values, labels }: { values: ProxyFormValues; labels: Labels<(typeof PROXY_FORM_LABELS)[number]> }) {
  const [state, action, pending] = useActionState(saveProxySettingsAction, {});
  const fieldError = (name: keyof NonNullable<SaveProxySettingsState["fieldErrors"]>) => state.data?.fieldErrors?.[name];
  const formError = state.serverError ?? (state.data?.saved === false ? state.data.message : undefined);
  // After a refusal the form shows what was typed (the action echoes it, passwords excepted); otherwise what is stored.
  const typed = state.data?.saved === false ? state.data.values : undefined;
  const text = (name: keyof EchoedProxySettings, stored: string) => typed?.[name] ?? stored;
  const checked = (name: keyof EchoedProxySettings, stored: boolean) => (typed ? typed[name] === "on" : stored);
  return (
    <form action={action} className="flex flex-col gap-6">
      {formError && <Alert tone="error">{formError}</Alert>}
      {state.data?.saved && <Alert tone="success">{state.data.message}</Alert>}
      <Checkbox
        name="enabled"
        label={labels["proxySettings.enabled"]}
        checked={checked("enabled", values.enabled)}
        hint={labels["proxySettings.enabledHint"]}
      />
      <div className="grid grid-cols-1 gap-4 sm:grid-cols-4">
        <div className="sm:col-span-3">
          <Field
            id="address"
            name="address"
            label={labels["proxySettings.address"]}
            hint={labels["proxySettings.addressHint"]}
            defaultValue={text("address", values.address)}
            autoComplete="off"
            spellCheck={false}
            maxLength={253}
            error={fieldError("address")}
          />
        </div>
        <Field
          id="port"
          name="port"
          type="number"
          inputMode="numeric"
          min={1}
          max={65535}
          label={labels["proxySettings.port"]}
          defaultValue={text("port", values.port)}
          error={fieldError("port")}
        />
      </div>
      <Checkbox
        name="bypassLocal"
        label={labels["proxySettings.bypassLocal"]}
        checked={checked("bypassLocal", values.bypassLocal)}
        hint={labels["proxySettings.bypassLocalHint"]}
      />
      <Field
        id="bypass"
        name="bypass"
        label={labels["proxySettings.bypass"]}
        hint={labels["proxySettings.bypassHint"]}
        defaultValue={text("bypass", values.bypass)}
        placeholder="*.contoso.com; 10.0.0.0/8"
        autoComplete="off"
        spellCheck={false}
        maxLength={8000}
        error={fieldError("bypass")}
      />
      <fieldset className="flex flex-col gap-4 border-t border-slate-200 pt-5">
        <legend className="sr-only">{labels["proxySettings.authRequired"]}</legend>
        <Checkbox name="authRequired" label={labels["proxySettings.authRequired"]} checked={checked("authRequired", values.authRequired)} />
        <div className="flex flex-col gap-1">
          <label htmlFor="authScheme" className="text-sm font-medium text-slate-800">
            {labels["proxySettings.authType"]}
          </label>
          <select
            id="authScheme"
            name="authScheme"
            defaultValue="basic"
            aria-describedby="authScheme-hint"
            className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-600 focus:outline-none focus:ring-2 focus:ring-brand-100 sm:max-w-xs"
          >
            <option value="basic">{labels["proxySettings.basic"]}</option>
            <option value="digest" disabled>
              {labels["proxySettings.digest"]}
            </option>
            <option value="integrated" disabled>
              {labels["proxySettings.integrated"]}
            </option>
          </select>
          <p id="authScheme-hint" className="text-xs text-slate-600">
            {labels["proxySettings.authHint"]}
          </p>
        </div>
        {/* TechNet's order: user name, password, confirm password, domain. */}
        <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
          <Field
            id="user"
            name="user"
            autoComplete="off"
            label={labels["proxySettings.user"]}
            defaultValue={text("user", values.user)}
            maxLength={256}
            error={fieldError("user")}
          />
          <div className="sm:col-start-1">
            <Field
              id="password"
              name="password"
              type="password"
              autoComplete="new-password"
              label={labels["proxySettings.password"]}
              hint={values.hasPassword ? labels["proxySettings.passwordStored"] : undefined}
              maxLength={1024}
              error={fieldError("password")}
            />
          </div>
          <Field
            id="confirmPassword"
            name="confirmPassword"
            type="password"
            autoComplete="new-password"
            label={labels["proxySettings.confirm"]}
            maxLength={1024}
            error={fieldError("confirmPassword")}
          />
          <div className="sm:col-start-1">
            <Field
              id="domain"
              name="domain"
              autoComplete="off"
              label={labels["proxySettings.domain"]}
              hint={labels["proxySettings.domainHint"]}
              defaultValue={text("domain", values.domain)}
              maxLength={253}
              error={fieldError("domain")}
            />
          </div>
        </div>
      </fieldset>
      <p className="text-sm text-slate-600">{labels["proxySettings.secretsNote"]}</p>
      <div>
        <Button type="submit" disabled={pending}>
          {labels["proxySettings.submit"]}
        </Button>
      </div>
    </form>
  );
}
