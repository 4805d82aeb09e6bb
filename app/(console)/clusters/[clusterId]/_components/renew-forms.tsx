"use client";
// The Renew dialog's small forms. Each is a plain <form> posting to a server action or the renewal-request route, so the
// whole renewal works without JavaScript; with JavaScript React submits the same forms without a page load.
import { type RefObject, useSyncExternalStore } from "react";
import { Alert } from "@/components/ui/alert";
import { buttonClass } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import type { CheckView, RenewState } from "@/lib/console/actions/renewal/state";
import type { RenewLabels } from "./renew-labels";
import { SubmitButton } from "./submit-button";

export interface PendingView {
  requestId: string;
  fingerprint: string;
  fileName: string;
  heldForApproval: boolean;
}

type FormAction = (formData: FormData) => void;

const noSubscribe = () => () => {};
/** False in the server's HTML (and so without JavaScript), true once React runs in the browser. */
function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscribe,
    () => true,
    () => false,
  );
}

function ChecksList({ checks, labels }: { checks: CheckView[]; labels: RenewLabels }) {
  const tone = { passed: "text-emerald-800", failed: "text-red-800", not_run: "text-slate-500" } as const;
  const text = { passed: labels["renew.checkPassed"], failed: labels["renew.checkFailed"], not_run: labels["renew.checkNotRun"] } as const;
  const icon = { passed: "✓", failed: "✗", not_run: "–" } as const;
  return (
    <section aria-labelledby="renew-checks-heading" className="mt-4">
      <h4 id="renew-checks-heading" className="mb-2 text-sm font-semibold">
        {labels["renew.checks"]}
      </h4>
      <ul className="grid gap-1 text-sm sm:grid-cols-2" aria-label={labels["renew.checks"]}>
        {checks.map((check) => (
          <li
            key={check.name}
            data-check={check.name}
            data-status={check.status}
            className={cn("flex items-center gap-2", tone[check.status])}
          >
            <span aria-hidden="true" className="w-4 text-center font-bold">
              {icon[check.status]}
            </span>
            <span>
              {check.label}: <span className="font-medium">{text[check.status]}</span>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/**
 * The outcome of a step under a focusable heading: focus moves here after the step (useEffect with JavaScript,
 * `autofocus` in the server's HTML without), and the alert inside is announced.
 */
export function StepResult({
  id,
  view,
  headingRef,
  autoFocus,
  labels,
}: {
  id: string;
  view: RenewState;
  headingRef: RefObject<HTMLHeadingElement | null>;
  autoFocus: boolean;
  labels: RenewLabels;
}) {
  if (view.status !== "error" && view.status !== "renewed" && view.status !== "declined" && view.status !== "held") return null;
  return (
    <section aria-labelledby={id} className="mt-4 flex flex-col gap-3">
      {/* biome-ignore lint/a11y/noAutofocus: without script, focus follows the step just submitted (a page load) */}
      <h3 id={id} ref={headingRef} tabIndex={-1} autoFocus={autoFocus} className="text-base font-semibold outline-none">
        {labels["renew.resultHeading"]}
      </h3>
      {view.status === "error" ? (
        <>
          <Alert tone="error">{view.message}</Alert>
          {view.checks && <ChecksList checks={view.checks} labels={labels} />}
        </>
      ) : (
        // Held for approval is a state, not a failure: informational, like a declined certificate.
        <Alert tone={view.status === "renewed" ? "success" : "info"}>{view.message}</Alert>
      )}
    </section>
  );
}

/** Online → Renew. With a pending offline request the administrator must agree to replace it first. */
export function OnlineForm({
  clusterId,
  pending,
  action,
  enroll = false,
  labels,
}: {
  clusterId: string;
  pending: PendingView | null;
  action: FormAction;
  /** A cluster without an SLC enrolls: the same request, labelled as the first certificate. */
  enroll?: boolean;
  labels: RenewLabels;
}) {
  return (
    <form action={action} className="flex flex-col gap-3">
      <input type="hidden" name="clusterId" value={clusterId} />
      {pending && (
        <div className="flex gap-3 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
          <input
            id="renew-replace-pending"
            type="checkbox"
            name="replacePending"
            required
            className="mt-0.5 h-4 w-4 shrink-0 accent-brand-600"
          />
          <label htmlFor="renew-replace-pending">{labels.replacePending}</label>
        </div>
      )}
      <div className="flex justify-end">
        <SubmitButton busyText={labels["renew.renewing"]}>{enroll ? labels["renew.enroll"] : labels["renew.renew"]}</SubmitButton>
      </div>
    </form>
  );
}

/**
 * Offline → Export: a plain POST to the renewal-request route, whose answer is the file itself (the browser downloads
 * it and stays on the page). With JavaScript `onExport` takes over to report the outcome in the dialog.
 */
export function ExportForm({
  clusterId,
  pending,
  exporting,
  onExport,
  labels,
}: {
  clusterId: string;
  pending: PendingView | null;
  exporting: boolean;
  onExport: (event: React.FormEvent<HTMLFormElement>) => void;
  labels: RenewLabels;
}) {
  return (
    <form
      method="post"
      action={`/clusters/${clusterId}/renewal-request`}
      onSubmit={onExport}
      className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-slate-200 p-3"
    >
      <p className="min-w-0 flex-1 basis-64 text-sm text-slate-700">{labels.pendingFile ?? labels["renew.noPendingHint"]}</p>
      <button type="submit" className={buttonClass(pending ? "secondary" : "primary")} disabled={exporting}>
        {exporting ? labels["renew.exporting"] : labels["renew.export"]}
      </button>
    </form>
  );
}

/** Offline → Browse → Import: a multipart post of the chosen file to the import step action. */
export function ImportForm({
  clusterId,
  action,
  fileName,
  onFile,
  onSubmit,
  headingRef,
  labels,
}: {
  clusterId: string;
  action: FormAction;
  fileName: string | null;
  onFile: (file: File | null) => void;
  onSubmit: (event: React.FormEvent<HTMLFormElement>) => void;
  headingRef: RefObject<HTMLHeadingElement | null>;
  labels: RenewLabels;
}) {
  const hydrated = useHydrated();
  return (
    <form action={action} onSubmit={onSubmit} className="flex flex-col gap-3 rounded-md border border-slate-200 p-3">
      <h4 id="renew-import-heading" ref={headingRef} tabIndex={-1} className="text-sm font-semibold outline-none">
        {labels.importHeading}
      </h4>
      <input type="hidden" name="clusterId" value={clusterId} />
      <input type="hidden" name="intent" value="validate" />
      <div className="flex flex-wrap items-center gap-3">
        {/* Without JavaScript the browser's own file input shows the chosen file; with it, a styled Browse button. */}
        <input
          id="renew-file"
          type="file"
          name="file"
          accept=".xml,application/xml,text/xml"
          className={hydrated ? "peer sr-only" : "order-2 min-w-0 max-w-full text-sm"}
          onChange={(event) => onFile(event.currentTarget.files?.[0] ?? null)}
        />
        <label
          htmlFor="renew-file"
          className={cn(
            hydrated
              ? "inline-flex cursor-pointer items-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-800 shadow-sm hover:bg-slate-100 peer-focus-visible:ring-2 peer-focus-visible:ring-brand-600"
              : "order-1 text-sm font-semibold",
          )}
        >
          {labels["renew.browse"]}
        </label>
        {hydrated && (
          <span className="min-w-0 flex-1 truncate text-sm text-slate-600" aria-live="polite">
            {fileName ?? labels["renew.noFile"]}
          </span>
        )}
        <div className="order-3 ml-auto">
          <SubmitButton busyText={labels["renew.importing"]}>{labels["renew.import"]}</SubmitButton>
        </div>
      </div>
    </form>
  );
}

/**
 * Step 4, sized for a laptop screen: the question, what is installed beside what would be, any warning, then Yes / No
 * at once; the checks and the identifiers are folded behind a summary that names them and any warning (<details>,
 * which opens without JavaScript).
 */
export function ConfirmForm({
  clusterId,
  view,
  action,
  headingRef,
  autoFocus,
  labels,
  intro,
}: {
  /** What the confirmation says it is about; by default an imported file. */
  intro?: string;
  clusterId: string;
  view: Extract<RenewState, { status: "validated" }>;
  action: FormAction;
  headingRef: RefObject<HTMLHeadingElement | null>;
  autoFocus: boolean;
  labels: RenewLabels;
}) {
  const { slc, answers } = view;
  const term = "font-medium text-slate-600";
  // A first enrollment replaces nothing: no "current certificate" to keep active, no empty box beside the new one.
  const first = answers.current === null;
  return (
    <section aria-labelledby="renew-confirm-heading" className="mt-2">
      {/* biome-ignore lint/a11y/noAutofocus: without script, focus follows the step just submitted (a page load) */}
      <h3 id="renew-confirm-heading" ref={headingRef} tabIndex={-1} autoFocus={autoFocus} className="text-base font-semibold outline-none">
        {labels["renew.confirmTitle"]}
      </h3>
      <p className="mt-1 text-sm text-slate-600">
        {intro ?? view.intro ?? (first ? labels["renew.confirmIntroFirst"] : labels["renew.confirmIntro"])}
      </p>
      <div className={cn("mt-3 grid gap-3", !first && "sm:grid-cols-2")}>
        {answers.current && (
          <div className="rounded-md border border-slate-200 p-3" data-testid="current-certificate">
            <h4 className="text-sm font-semibold">{labels["renew.current"]}</h4>
            <dl className="mt-1 text-sm">
              <dt className={term}>{labels["renew.expires"]}</dt>
              <dd>
                <time dateTime={answers.current.validUntil}>{answers.current.validUntilText}</time>
              </dd>
            </dl>
          </div>
        )}
        <div className="rounded-md border border-brand-600 bg-brand-50 p-3" data-testid="new-certificate">
          <h4 className="text-sm font-semibold">{labels["renew.new"]}</h4>
          <dl className="mt-1 text-sm">
            <dt className={term}>{labels["renew.expires"]}</dt>
            <dd>
              <time dateTime={slc.validUntil} data-testid="import-valid-until">
                {slc.validUntilText}
              </time>
            </dd>
            <dt className={term}>{labels["renew.gainLabel"]}</dt>
            <dd className="font-semibold" data-testid="expiry-gain">
              {answers.gainText}
            </dd>
          </dl>
        </div>
      </div>
      {answers.shortGain && (
        <div role="alert" className="mt-3 rounded-md border border-red-300 bg-red-50 px-4 py-3 text-sm font-medium text-red-900">
          {labels["renew.shortGain"]}
        </div>
      )}
      {/* Sticky: on a short screen (a phone, a long warning) Yes and No stay in view while the confirmation is. */}
      <form action={action} className="sticky bottom-0 z-10 mt-2 flex justify-end gap-3 border-t border-slate-200 bg-white py-3">
        <input type="hidden" name="clusterId" value={clusterId} />
        <input type="hidden" name="fingerprint" value={slc.fingerprint} />
        <input type="hidden" name="document" value={view.document} />
        <SubmitButton variant="secondary" name="intent" value="decline" busyText={labels["renew.no"]}>
          {labels["renew.no"]}
        </SubmitButton>
        <SubmitButton name="intent" value="confirm" busyText={labels["renew.installing"]}>
          {labels["renew.yes"]}
        </SubmitButton>
      </form>
      <details className="group/details mt-4 rounded-md border border-slate-200" data-testid="confirm-details">
        <summary className={cn("cursor-pointer px-3 py-2 text-sm font-medium", answers.shortGain ? "text-red-900" : "text-slate-700")}>
          {answers.details}
        </summary>
        <div className="border-t border-slate-200 px-3 pb-3">
          <dl className="mt-3 grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-3">
            <dt className={term}>{labels["identifiers.requestId"]}</dt>
            <dd className="break-all font-mono text-xs sm:col-span-2">{answers.requestId}</dd>
            <dt className={term}>{labels["identifiers.keyFingerprint"]}</dt>
            <dd className="break-all font-mono text-xs sm:col-span-2">{answers.keyFingerprint}</dd>
            <dt className={term}>{labels["identifiers.slcSerial"]}</dt>
            <dd className="break-all font-mono text-xs sm:col-span-2">{slc.serial}</dd>
            <dt className={term}>{labels["identifiers.slcFingerprint"]}</dt>
            <dd className="break-all font-mono text-xs sm:col-span-2">{slc.fingerprint}</dd>
            {answers.current && (
              <>
                <dt className={term}>{labels["renew.currentFingerprint"]}</dt>
                <dd className="break-all font-mono text-xs sm:col-span-2">{answers.current.fingerprint}</dd>
              </>
            )}
            <dt className={term}>{labels["renew.field.issuer"]}</dt>
            <dd className="sm:col-span-2">
              {slc.issuer} <span className="block text-xs text-slate-500">{slc.issuerSubject}</span>
            </dd>
            <dt className={term}>{labels["renew.field.subject"]}</dt>
            <dd className="sm:col-span-2">{slc.subject}</dd>
            <dt className={term}>{labels["renew.field.guid"]}</dt>
            <dd className="break-all font-mono text-xs sm:col-span-2">{slc.guid}</dd>
            <dt className={term}>{labels["renew.field.url"]}</dt>
            <dd className="break-all font-mono text-xs sm:col-span-2">{slc.url}</dd>
            <dt className={term}>{labels["renew.field.validity"]}</dt>
            <dd className="sm:col-span-2">
              <time dateTime={slc.validFrom}>{slc.validFromText}</time> – <time dateTime={slc.validUntil}>{slc.validUntilText}</time>
            </dd>
          </dl>
          <ChecksList checks={view.checks} labels={labels} />
        </div>
      </details>
    </section>
  );
}

/**
 * A request the enrollment service holds for its operator's approval: what it means, where to look it up, and "Check
 * for the approved certificate" (asks the service again; once approved, the confirmation follows). Informational.
 */
export function HeldPanel({
  clusterId,
  action,
  labels,
}: {
  clusterId: string;
  action: FormAction;
  labels: NonNullable<RenewLabels["held"]>;
}) {
  return (
    <section aria-labelledby="renew-held-heading" className="mt-5 rounded-md border border-sky-300 bg-sky-50 p-4 text-sm text-sky-950">
      <h3 id="renew-held-heading" className="text-base font-semibold">
        {labels.title}
      </h3>
      <p className="mt-1">{labels.explain}</p>
      <div className="mt-3 flex flex-wrap items-center justify-between gap-3">
        <a href={labels.lookUpUrl} className="font-medium text-brand-700 underline underline-offset-2 hover:text-brand-800">
          {labels.lookUp}
        </a>
        <form action={action}>
          <input type="hidden" name="clusterId" value={clusterId} />
          <SubmitButton busyText={labels.checking}>{labels.check}</SubmitButton>
        </form>
      </div>
    </section>
  );
}
