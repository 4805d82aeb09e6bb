"use client";
// The Renew dialog's contents (seed steps 2–13): Online → Renew, or Offline → Export, then Browse → Import → Yes/No.
// Every step is a plain form, its outcome rendered by the server without JavaScript; with it, in place. The
// Online/Offline radios switch the sections by CSS alone, so they work without script too. Loaded with the dialog
// (renew-dialog.tsx): a page that only shows the Renew button does not ship it.
import { useRouter } from "next/navigation";
import { useActionState, useEffect, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { checkApprovalAction } from "@/lib/console/actions/renewal/check-approval";
import { importStepAction } from "@/lib/console/actions/renewal/import";
import { renewOnlineAction } from "@/lib/console/actions/renewal/renew-online";
import { IDLE, MAX_UPLOAD_BYTES, type RenewState } from "@/lib/console/actions/renewal/state";
import { fillTemplate } from "@/lib/platform/i18n/labels";
import { OfflineProgress, type OfflineStep } from "./offline-progress";
import { ConfirmForm, ExportForm, HeldPanel, ImportForm, OnlineForm, type PendingView, StepResult } from "./renew-forms";
import type { RenewLabels } from "./renew-labels";

export type RenewMethod = "online" | "offline";

interface ActionResult {
  data?: RenewState;
  serverError?: string;
  validationErrors?: { formErrors: string[] };
}

/** A next-safe-action result as the dialog's state: idle until the action answered. */
function viewOf(result: ActionResult, fallback: string): RenewState {
  if (result.data) return result.data;
  const message = result.serverError ?? result.validationErrors?.formErrors[0];
  if (message !== undefined || result.validationErrors) return { status: "error", message: message ?? fallback };
  return IDLE;
}

/** Focuses the element when `key` changes after the first render (the first render uses `autofocus` instead). */
function useFocusOn(ref: React.RefObject<HTMLElement | null>, key: string) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    if (key) ref.current?.focus();
  }, [key, ref]);
}

interface FlowProps {
  clusterId: string;
  /** No SLC yet: the dialog enrolls the cluster (the same online and offline paths, the first certificate). */
  enroll: boolean;
  pending: PendingView | null;
  method: RenewMethod;
  labels: RenewLabels;
  onBusy: (busy: boolean) => void;
  /** Called once the contents are on the page, so the dialog opens with them (and focus lands inside). */
  onReady: () => void;
  openInHtml: boolean;
}

export function RenewFlow({ clusterId, enroll, pending, method, labels: allLabels, onBusy, onReady, openInHtml }: FlowProps) {
  // A first enrollment speaks of enrollment throughout (method, hints, headings, progress), not of renewal.
  const labels = enroll ? { ...allLabels, ...allLabels.enrollWords } : allLabels;
  const router = useRouter();
  const [online, onlineAction, onlineBusy] = useActionState(renewOnlineAction, {});
  const [imported, importAction, importBusy] = useActionState(importStepAction, {});
  // Held for approval: "Check for the approved certificate", then Yes/No on what the service issued.
  const [checked, checkAction, checkBusy] = useActionState(checkApprovalAction, {});
  const [heldImported, heldImportAction, heldImportBusy] = useActionState(importStepAction, {});
  // An online answer held for the small-gain rule: Yes/No on it, as on an imported file.
  const [onlineImported, onlineImportAction, onlineImportBusy] = useActionState(importStepAction, {});
  const [exporting, setExporting] = useState(false);
  const [exportNotice, setExportNotice] = useState<{ ok: boolean; message: string } | null>(null);
  const [fileName, setFileName] = useState<string | null>(null);
  const [localError, setLocalError] = useState<string | null>(null);
  const onlineView = viewOf(online, labels["error.generic"]);
  const importView = localError ? ({ status: "error", message: localError } as const) : viewOf(imported, labels["error.generic"]);
  const validated = importView.status === "validated" ? importView : null;
  const checkView = viewOf(checked, labels["error.generic"]);
  const heldImportView = viewOf(heldImported, labels["error.generic"]);
  const approved = checkView.status === "validated" && heldImportView.status === "idle" ? checkView : null;
  const onlineImportView = viewOf(onlineImported, labels["error.generic"]);
  const onlineConfirm = onlineView.status === "validated" && onlineImportView.status === "idle" ? onlineView : null;
  // Rendered by the server after a plain form post (no JavaScript): the page opens on the outcome.
  const [serverOutcome] = useState(
    onlineView.status !== "idle" ||
      importView.status !== "idle" ||
      checkView.status !== "idle" ||
      heldImportView.status !== "idle" ||
      onlineImportView.status !== "idle",
  );
  // The held panel stays for its own outcomes once the request is consumed (the page no longer has it pending).
  const showHeld = labels.held !== null || checkView.status !== "idle" || heldImportView.status !== "idle";

  const onlineResult = useRef<HTMLHeadingElement>(null);
  const importResult = useRef<HTMLHeadingElement>(null);
  const confirmHeading = useRef<HTMLHeadingElement>(null);
  const checkResult = useRef<HTMLHeadingElement>(null);
  const heldConfirmHeading = useRef<HTMLHeadingElement>(null);
  const heldImportResult = useRef<HTMLHeadingElement>(null);
  const onlineConfirmHeading = useRef<HTMLHeadingElement>(null);
  const onlineImportResult = useRef<HTMLHeadingElement>(null);
  const importHeading = useRef<HTMLHeadingElement>(null);
  const offlineHeading = useRef<HTMLHeadingElement>(null);
  const offlineRadio = useRef<HTMLInputElement>(null);
  useFocusOn(onlineConfirm ? onlineConfirmHeading : onlineResult, onlineBusy ? "" : JSON.stringify(online));
  useFocusOn(onlineImportResult, onlineImportBusy ? "" : JSON.stringify(onlineImported));
  useFocusOn(validated ? confirmHeading : importResult, importBusy ? "" : JSON.stringify(imported) + (localError ?? ""));
  useFocusOn(importHeading, exportNotice?.ok ? (pending?.requestId ?? "") : "");
  useFocusOn(approved ? heldConfirmHeading : checkResult, checkBusy ? "" : JSON.stringify(checked));
  useFocusOn(heldImportResult, heldImportBusy ? "" : JSON.stringify(heldImported));

  const busy = onlineBusy || importBusy || exporting || checkBusy || heldImportBusy || onlineImportBusy;
  useEffect(() => onBusy(busy), [busy, onBusy]);
  useEffect(() => onReady(), [onReady]);
  // The steps' statuses as one value: the page is refreshed when one of them becomes "renewed", not at every render.
  const statuses = [onlineView, importView, heldImportView, onlineImportView].map((view) => view.status).join(" ");
  useEffect(() => {
    if (statuses.split(" ").includes("renewed")) router.refresh();
  }, [statuses, router]);

  async function exportRequest(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (busy) return;
    setExporting(true);
    setExportNotice(null);
    try {
      const response = await fetch(event.currentTarget.action, { method: "POST" });
      if (!response.ok) {
        const body: unknown = await response.json().catch(() => null);
        // 401: the session ended; sign-in says so and returns here.
        if (response.status === 401 && body && typeof body === "object" && "signIn" in body && typeof body.signIn === "string") {
          if (body.signIn.startsWith("/sign-in")) return router.push(body.signIn);
        }
        const message =
          body && typeof body === "object" && "message" in body && typeof body.message === "string"
            ? body.message
            : labels["error.generic"];
        setExportNotice({ ok: false, message });
        return;
      }
      const disposition = response.headers.get("content-disposition") ?? "";
      const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? "RenewalRequest.xml";
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement("a");
      link.href = url;
      link.download = name;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setExportNotice({ ok: true, message: fillTemplate(labels.exported, "file", name) });
      router.refresh();
    } catch {
      setExportNotice({ ok: false, message: labels["error.generic"] });
    } finally {
      setExporting(false);
    }
  }

  function checkUpload(event: React.FormEvent<HTMLFormElement>) {
    const file = new FormData(event.currentTarget).get("file");
    const problem =
      !(file instanceof File) || (file.size === 0 && file.name === "")
        ? labels["renew.noFileChosen"]
        : file.size > MAX_UPLOAD_BYTES
          ? labels.tooLarge
          : null;
    setLocalError(problem);
    if (problem) event.preventDefault();
  }

  /** "Use Offline instead": a plain GET (?renew=offline) without script; with it, switch in place. */
  function switchToOffline(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (offlineRadio.current) offlineRadio.current.checked = true;
    offlineHeading.current?.focus();
  }

  const initialMethod: RenewMethod =
    importView.status !== "idle" ? "offline" : onlineView.status !== "idle" || onlineImportView.status !== "idle" ? "online" : method;
  // One reading of the offline steps for the dialog and the pending card: exported, it is at "Sign" until a file is
  // chosen (the console cannot know it was signed); installed, every step is done and nothing new is offered.
  const installed = importView.status === "renewed" || heldImportView.status === "renewed";
  const step: OfflineStep = installed ? 5 : validated ? 4 : pending ? (fileName ? 3 : 2) : 1;
  // The confirmation's question is announced here; outcomes are announced by their own alerts.
  const announcement = validated || approved || onlineConfirm ? labels["renew.confirmTitle"] : "";
  const onlineDone = onlineView.status === "renewed" || onlineImportView.status === "renewed";
  const suggestOffline = onlineView.status === "error";

  return (
    <>
      <div className="group/flow">
        {/* Without script focus starts on the title, or on the outcome of the form just posted. */}
        {/* biome-ignore lint/a11y/noAutofocus: without script, focus follows the step just submitted (a page load) */}
        <h2 id="renew-title" tabIndex={-1} autoFocus={openInHtml && !serverOutcome} className="text-lg font-semibold outline-none">
          {enroll ? labels["renew.enrollTitle"] : labels["renew.title"]}
        </h2>
        <p id="renew-description" className="mt-1 text-sm text-slate-600">
          {enroll ? labels["renew.enrollDescription"] : labels["renew.description"]}
        </p>
        {showHeld && (
          <>
            {labels.held && !approved && <HeldPanel clusterId={clusterId} action={checkAction} labels={labels.held} />}
            {checkView.status !== "validated" && (
              <StepResult id="renew-check-result" view={checkView} headingRef={checkResult} autoFocus={serverOutcome} labels={labels} />
            )}
            {approved && (
              <ConfirmForm
                clusterId={clusterId}
                view={approved}
                action={heldImportAction}
                headingRef={heldConfirmHeading}
                autoFocus={serverOutcome}
                labels={labels}
                intro={labels.held?.confirmIntro}
              />
            )}
            <StepResult
              id="renew-held-import-result"
              view={heldImportView}
              headingRef={heldImportResult}
              autoFocus={serverOutcome}
              labels={labels}
            />
          </>
        )}
        <fieldset className="mt-5" disabled={busy}>
          <legend className="mb-2 text-sm font-medium">{labels["renew.method"]}</legend>
          <div className="grid gap-2 sm:grid-cols-2">
            {(["online", "offline"] as const).map((value) => (
              <div
                key={value}
                className="flex gap-3 rounded-md border border-slate-200 p-3 has-[:checked]:border-brand-600 has-[:checked]:bg-brand-50"
              >
                <input
                  ref={value === "offline" ? offlineRadio : undefined}
                  type="radio"
                  name="renew-method"
                  id={`renew-${value}`}
                  value={value}
                  defaultChecked={initialMethod === value}
                  aria-describedby={`renew-${value}-hint`}
                  className="mt-0.5 h-4 w-4 shrink-0 accent-brand-600"
                />
                <div>
                  <label htmlFor={`renew-${value}`} className="cursor-pointer text-sm font-semibold">
                    {value === "online" ? labels["renew.online"] : labels["renew.offline"]}
                  </label>
                  <p id={`renew-${value}-hint`} className="text-xs text-slate-600">
                    {value === "online" ? labels["renew.onlineHint"] : labels["renew.offlineHint"]}
                  </p>
                </div>
              </div>
            ))}
          </div>
        </fieldset>

        <section aria-labelledby="renew-online-heading" className="mt-5 hidden group-has-[#renew-online:checked]/flow:block">
          <h3 id="renew-online-heading" className="sr-only">
            {labels["renew.onlineHeading"]}
          </h3>
          {/* While the service holds a request, sending another would void it: the held panel above is the way on. */}
          {!pending?.heldForApproval && !onlineDone && !onlineConfirm && (
            <OnlineForm clusterId={clusterId} pending={pending} action={onlineAction} enroll={enroll} labels={labels} />
          )}
          <StepResult id="renew-online-result" view={onlineView} headingRef={onlineResult} autoFocus={serverOutcome} labels={labels} />
          {onlineConfirm && (
            <ConfirmForm
              clusterId={clusterId}
              view={onlineConfirm}
              action={onlineImportAction}
              headingRef={onlineConfirmHeading}
              autoFocus={serverOutcome}
              labels={labels}
            />
          )}
          {/* The same place as a direct renewal's outcome (that one is empty while the confirmation is asked). */}
          <StepResult
            id="renew-online-result"
            view={onlineImportView}
            headingRef={onlineImportResult}
            autoFocus={serverOutcome}
            labels={labels}
          />
          {suggestOffline && (
            <form method="get" onSubmit={switchToOffline} className="mt-3">
              <input type="hidden" name="renew" value="offline" />
              <Button type="submit" variant="secondary">
                {labels["renew.useOffline"]}
              </Button>
            </form>
          )}
        </section>

        <section
          aria-labelledby="renew-offline-heading"
          className="mt-5 hidden flex-col gap-4 group-has-[#renew-offline:checked]/flow:flex"
        >
          <h3 id="renew-offline-heading" ref={offlineHeading} tabIndex={-1} className="text-base font-semibold outline-none">
            {labels["renew.offlineHeading"]}
          </h3>
          <OfflineProgress current={step} labels={labels.progress} showSignAt />
          {!validated && !installed && (
            <>
              <ExportForm clusterId={clusterId} pending={pending} exporting={exporting} onExport={exportRequest} labels={labels} />
              {exportNotice && <Alert tone={exportNotice.ok ? "success" : "error"}>{exportNotice.message}</Alert>}
              {!pending && !exportNotice && <p className="text-sm text-slate-600">{labels["renew.exportNoScript"]}</p>}
              {pending && (
                <ImportForm
                  clusterId={clusterId}
                  action={importAction}
                  fileName={fileName}
                  onFile={(file) => {
                    setFileName(file?.name ?? null);
                    setLocalError(null);
                  }}
                  onSubmit={checkUpload}
                  headingRef={importHeading}
                  labels={labels}
                />
              )}
            </>
          )}
          {validated && (
            <ConfirmForm
              clusterId={clusterId}
              view={validated}
              action={importAction}
              headingRef={confirmHeading}
              autoFocus={serverOutcome}
              labels={labels}
            />
          )}
          <StepResult id="renew-offline-result" view={importView} headingRef={importResult} autoFocus={serverOutcome} labels={labels} />
        </section>
        <p role="status" className="sr-only">
          {announcement}
        </p>
      </div>
      {/* The dialog's own Close (method="dialog"): it comes with the contents, which are loaded when the dialog opens. */}
      <form method="dialog" className="mt-5 flex justify-end border-t border-slate-200 pt-4">
        {/* On the confirmation closing decides nothing: the request stays pending, and the button says so. */}
        <Button type="submit" variant={installed || onlineDone ? "primary" : "secondary"} disabled={busy}>
          {validated || approved || onlineConfirm ? labels["renew.decideLater"] : labels["renew.close"]}
        </Button>
      </form>
    </>
  );
}
