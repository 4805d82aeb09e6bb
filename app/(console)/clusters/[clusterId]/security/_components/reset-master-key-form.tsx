"use client";
// The confirmation step of Reset the master key: what it does (rendered by the server), then Yes — a plain form posting
// to the server action, so it works without JavaScript — or Cancel. Success redirects; a failure comes back here.
import Link from "next/link";
import { type ReactNode, useActionState } from "react";
import { linkClass } from "@/components/breadcrumbs";
import { Alert } from "@/components/ui/alert";
import { resetMasterKeyAction } from "@/lib/console/actions/security/reset-master-key";
import { SubmitButton } from "../../_components/submit-button";

export function ResetMasterKeyForm({
  clusterId,
  title,
  labels,
  cancelHref,
  children,
}: {
  clusterId: string;
  title: string;
  labels: { yes: string; cancel: string };
  cancelHref: string;
  children: ReactNode;
}) {
  const [state, action] = useActionState(resetMasterKeyAction, {});
  const message = state.data?.message ?? state.serverError ?? state.validationErrors?.formErrors[0];
  return (
    <form
      action={action}
      aria-labelledby="reset-confirm-title"
      className="mt-4 flex flex-col gap-3 rounded-md border border-red-200 bg-red-50/40 p-4"
    >
      <h3 id="reset-confirm-title" className="text-sm font-semibold text-slate-900">
        {title}
      </h3>
      <input type="hidden" name="clusterId" value={clusterId} />
      <input type="hidden" name="confirm" value="yes" />
      {children}
      {message && <Alert tone="error">{message}</Alert>}
      <div className="flex flex-wrap items-center gap-4">
        <SubmitButton variant="danger" busyText={labels.yes}>
          {labels.yes}
        </SubmitButton>
        <Link href={cancelHref} className={linkClass}>
          {labels.cancel}
        </Link>
      </div>
    </form>
  );
}
