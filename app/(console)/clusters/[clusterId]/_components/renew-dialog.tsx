"use client";
// The Renew dialog (seed steps 2–13): Online → Renew, or Offline → Export, then Browse → Import → Yes/No.
// With JavaScript a native modal <dialog> (the page behind is inert, Escape closes it unless work is running); without
// it the same markup opens in the page (?renew=…) and every step is a plain form, its outcome rendered by the server.
// The Online/Offline radios switch the sections by CSS alone, so they work without script too.
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useActionState, useEffect, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { importStepAction } from "@/lib/actions/renewal/import";
import { renewOnlineAction } from "@/lib/actions/renewal/renew-online";
import { IDLE, MAX_UPLOAD_BYTES, type RenewState } from "@/lib/actions/renewal/state";
import { OfflineProgress, type OfflineStep } from "./offline-progress";
import { ConfirmForm, ExportForm, ImportForm, OnlineForm, type PendingView, StepResult } from "./renew-forms";

export type { PendingView } from "./renew-forms";

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
  enrollmentUrl: string;
  onBusy: (busy: boolean) => void;
  openInHtml: boolean;
}

function RenewFlow({ clusterId, enroll, pending, method, enrollmentUrl, onBusy, openInHtml }: FlowProps) {
  const t = useTranslations();
  const router = useRouter();
  const [online, onlineAction, onlineBusy] = useActionState(renewOnlineAction, {});
  const [imported, importAction, importBusy] = useActionState(importStepAction, {});
  const [exporting, setExporting] = useState(false);
  const [exportNotice, setExportNotice] = useState<{ ok: boolean; message: string } | null>(null);
  const [fileName, setFileName] = useState<string | null>(null);
  const [localError, setLocalError] = useState<string | null>(null);
  const onlineView = viewOf(online, t("error.generic"));
  const importView = localError ? ({ status: "error", message: localError } as const) : viewOf(imported, t("error.generic"));
  const validated = importView.status === "validated" ? importView : null;
  // Rendered by the server after a plain form post (no JavaScript): the page opens on the outcome.
  const [serverOutcome] = useState(onlineView.status !== "idle" || importView.status !== "idle");

  const onlineResult = useRef<HTMLHeadingElement>(null);
  const importResult = useRef<HTMLHeadingElement>(null);
  const confirmHeading = useRef<HTMLHeadingElement>(null);
  const importHeading = useRef<HTMLHeadingElement>(null);
  const offlineHeading = useRef<HTMLHeadingElement>(null);
  const offlineRadio = useRef<HTMLInputElement>(null);
  useFocusOn(onlineResult, onlineBusy ? "" : JSON.stringify(online));
  useFocusOn(validated ? confirmHeading : importResult, importBusy ? "" : JSON.stringify(imported) + (localError ?? ""));
  useFocusOn(importHeading, exportNotice?.ok ? (pending?.requestId ?? "") : "");

  const busy = onlineBusy || importBusy || exporting;
  useEffect(() => onBusy(busy), [busy, onBusy]);
  useEffect(() => {
    if (onlineView.status === "renewed" || importView.status === "renewed") router.refresh();
  }, [onlineView.status, importView.status, router]);

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
          body && typeof body === "object" && "message" in body && typeof body.message === "string" ? body.message : t("error.generic");
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
      setExportNotice({ ok: true, message: t("renew.exported", { file: name }) });
      router.refresh();
    } catch {
      setExportNotice({ ok: false, message: t("error.generic") });
    } finally {
      setExporting(false);
    }
  }

  function checkUpload(event: React.FormEvent<HTMLFormElement>) {
    const file = new FormData(event.currentTarget).get("file");
    const problem =
      !(file instanceof File) || (file.size === 0 && file.name === "")
        ? t("renew.noFileChosen")
        : file.size > MAX_UPLOAD_BYTES
          ? t("failure.too_large", { limit: `${MAX_UPLOAD_BYTES / 1024} KB` })
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

  const initialMethod: RenewMethod = importView.status !== "idle" ? "offline" : onlineView.status !== "idle" ? "online" : method;
  const step: OfflineStep = validated ? 4 : pending ? 3 : 1;
  // The confirmation's question is announced here; outcomes are announced by their own alerts.
  const announcement = validated ? t("renew.confirmTitle") : "";
  const suggestOffline = onlineView.status === "error";

  return (
    <div className="group/flow">
      {/* Without script focus starts on the title, or on the outcome of the form just posted. */}
      {/* biome-ignore lint/a11y/noAutofocus: without script, focus follows the step just submitted (a page load) */}
      <h2 id="renew-title" tabIndex={-1} autoFocus={openInHtml && !serverOutcome} className="text-lg font-semibold outline-none">
        {enroll ? t("renew.enrollTitle") : t("renew.title")}
      </h2>
      <p id="renew-description" className="mt-1 text-sm text-slate-600">
        {enroll ? t("renew.enrollDescription") : t("renew.description")}
      </p>
      <fieldset className="mt-5" disabled={busy}>
        <legend className="mb-2 text-sm font-medium">{t("renew.method")}</legend>
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
                  {value === "online" ? t("renew.online") : t("renew.offline")}
                </label>
                <p id={`renew-${value}-hint`} className="text-xs text-slate-600">
                  {value === "online" ? t("renew.onlineHint") : t("renew.offlineHint")}
                </p>
              </div>
            </div>
          ))}
        </div>
      </fieldset>

      <section aria-labelledby="renew-online-heading" className="mt-5 hidden group-has-[#renew-online:checked]/flow:block">
        <h3 id="renew-online-heading" className="sr-only">
          {t("renew.onlineHeading")}
        </h3>
        <OnlineForm clusterId={clusterId} pending={pending} action={onlineAction} enroll={enroll} />
        <StepResult id="renew-online-result" view={onlineView} headingRef={onlineResult} autoFocus={serverOutcome} />
        {suggestOffline && (
          <form method="get" onSubmit={switchToOffline} className="mt-3">
            <input type="hidden" name="renew" value="offline" />
            <Button type="submit" variant="secondary">
              {t("renew.useOffline")}
            </Button>
          </form>
        )}
      </section>

      <section aria-labelledby="renew-offline-heading" className="mt-5 hidden flex-col gap-4 group-has-[#renew-offline:checked]/flow:flex">
        <h3 id="renew-offline-heading" ref={offlineHeading} tabIndex={-1} className="text-base font-semibold outline-none">
          {t("renew.offlineHeading")}
        </h3>
        <OfflineProgress current={step} enrollmentUrl={enrollmentUrl} />
        {!validated && (
          <>
            <ExportForm clusterId={clusterId} pending={pending} exporting={exporting} onExport={exportRequest} />
            {exportNotice && <Alert tone={exportNotice.ok ? "success" : "error"}>{exportNotice.message}</Alert>}
            {!pending && !exportNotice && <p className="text-sm text-slate-600">{t("renew.exportNoScript")}</p>}
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
              />
            )}
          </>
        )}
        {validated && (
          <ConfirmForm clusterId={clusterId} view={validated} action={importAction} headingRef={confirmHeading} autoFocus={serverOutcome} />
        )}
        <StepResult id="renew-offline-result" view={importView} headingRef={importResult} autoFocus={serverOutcome} />
      </section>
      <p role="status" className="sr-only">
        {announcement}
      </p>
    </div>
  );
}

export function RenewDialog({
  clusterId,
  enroll,
  pending,
  method,
  open,
  enrollmentUrl,
}: {
  clusterId: string;
  enroll: boolean;
  pending: PendingView | null;
  method: RenewMethod;
  /** Opened by the URL (?renew=…): without JavaScript that is how the Renew button opens it. */
  open: boolean;
  enrollmentUrl: string;
}) {
  const t = useTranslations();
  const dialog = useRef<HTMLDialogElement>(null);
  const [epoch, setEpoch] = useState(0);
  const [busy, setBusy] = useState(false);
  const converting = useRef(false);
  // The server's HTML opens the dialog in the page when the URL asks for it or an action just answered (no script).
  const [openInHtml] = useState(open);
  // Enroll or Renew as it was opened: after an enrollment the page behind re-renders with an SLC, but the open dialog
  // keeps saying it enrolled the cluster until it is closed.
  const [openedToEnroll, setOpenedToEnroll] = useState(enroll);

  useEffect(() => {
    // With JavaScript, a dialog the server opened in the page becomes the modal one.
    const element = dialog.current;
    if (element?.open && !element.matches(":modal")) {
      converting.current = true;
      element.close();
      element.showModal();
      converting.current = false;
    }
  }, []);

  return (
    <>
      <form
        method="get"
        onSubmit={(event) => {
          event.preventDefault();
          // Open on the path the page suggests now (a request exported since the dialog was last shown means Offline).
          const radio = dialog.current?.querySelector<HTMLInputElement>(`#renew-${method}`);
          if (radio && !busy) radio.checked = true;
          dialog.current?.showModal();
        }}
      >
        <input type="hidden" name="renew" value={method} />
        <Button type="submit" aria-haspopup="dialog">
          {enroll ? t("admin.enroll") : t("admin.renew")}
        </Button>
      </form>
      <dialog
        ref={dialog}
        id="renew-dialog"
        open={openInHtml || undefined}
        aria-labelledby="renew-title"
        aria-describedby="renew-description"
        aria-busy={busy}
        onCancel={(event) => {
          if (busy) event.preventDefault();
        }}
        onClose={() => {
          // Closing starts the next opening afresh.
          if (!converting.current) {
            setEpoch((n) => n + 1);
            setOpenedToEnroll(enroll);
          }
        }}
        className={cn(
          "m-auto max-h-[92vh] w-[min(42rem,calc(100vw-2rem))] overflow-y-auto rounded-lg bg-white p-6 text-slate-900 shadow-xl backdrop:bg-slate-900/50",
          // Opened in the page without script: a panel in the flow, not an overlay.
          "[&:not(:modal)]:relative [&:not(:modal)]:mt-4 [&:not(:modal)]:w-full [&:not(:modal)]:max-h-none [&:not(:modal)]:border [&:not(:modal)]:border-slate-300",
        )}
      >
        <RenewFlow
          key={epoch}
          clusterId={clusterId}
          enroll={openedToEnroll}
          pending={pending}
          method={method}
          enrollmentUrl={enrollmentUrl}
          onBusy={setBusy}
          openInHtml={openInHtml && epoch === 0}
        />
        <form method="dialog" className="mt-5 flex justify-end border-t border-slate-200 pt-4">
          <Button type="submit" variant="secondary" disabled={busy}>
            {t("renew.close")}
          </Button>
        </form>
      </dialog>
    </>
  );
}
