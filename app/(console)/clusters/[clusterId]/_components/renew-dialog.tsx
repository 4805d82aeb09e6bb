"use client";
// The Renew dialog (seed steps 2–13): Online → Renew, or Offline → Export, then Browse → Import → Yes/No.
// A native modal <dialog>: the page behind is inert (focus stays inside), Escape closes it unless work is running.
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useEffect, useRef, useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { confirmImportAction, declineImportAction, validateImportAction } from "@/lib/actions/renewal/import";
import { renewOnlineAction } from "@/lib/actions/renewal/renew-online";
import { type CheckView, IDLE, MAX_UPLOAD_BYTES, type RenewResult, type RenewState, renewResultView } from "@/lib/actions/renewal/state";

export interface PendingView {
  requestId: string;
  fingerprint: string;
  fileName: string;
}

type Method = "online" | "offline";
type Busy = null | "renewing" | "exporting" | "importing" | "installing";

function Spinner() {
  return <span aria-hidden="true" className="h-4 w-4 animate-spin rounded-full border-2 border-current border-r-transparent" />;
}

function ChecksList({ checks }: { checks: CheckView[] }) {
  const t = useTranslations("renew");
  const tone = { passed: "text-emerald-800", failed: "text-red-800", not_run: "text-slate-500" } as const;
  const text = { passed: t("checkPassed"), failed: t("checkFailed"), not_run: t("checkNotRun") } as const;
  const icon = { passed: "✓", failed: "✗", not_run: "–" } as const;
  return (
    <section aria-labelledby="renew-checks-heading" className="mt-4">
      <h3 id="renew-checks-heading" className="mb-2 text-sm font-semibold">
        {t("checks")}
      </h3>
      <ul className="grid gap-1 text-sm sm:grid-cols-2" aria-label={t("checks")}>
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

export function RenewDialog({ clusterId, enroll, pending }: { clusterId: string; enroll: boolean; pending: PendingView | null }) {
  const t = useTranslations();
  const router = useRouter();
  const dialog = useRef<HTMLDialogElement>(null);
  const [method, setMethod] = useState<Method>(pending ? "offline" : "online");
  const [view, setView] = useState<RenewState>(IDLE);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState<Busy>(null);
  // Kept in state, not read from the input: the input is unmounted while the confirmation is shown.
  const [file, setFile] = useState<File | null>(null);
  const [, startTransition] = useTransition();

  useEffect(() => {
    if (view.status === "renewed") router.refresh();
  }, [view, router]);

  function reset() {
    setView(IDLE);
    setNotice(null);
    setFile(null);
  }

  function close() {
    if (!busy) dialog.current?.close(); // a running renewal cannot be dismissed half-way
  }

  function run(kind: Exclude<Busy, null>, work: () => Promise<RenewResult>) {
    if (busy) return;
    setBusy(kind);
    setNotice(null);
    startTransition(async () => {
      try {
        setView(renewResultView(await work(), t("error.generic")));
      } catch {
        setView({ status: "error", message: t("error.generic") });
      } finally {
        setBusy(null);
      }
    });
  }

  function formData(extra: Record<string, string | File>): FormData {
    const data = new FormData();
    data.set("clusterId", clusterId);
    for (const [key, value] of Object.entries(extra)) data.set(key, value);
    return data;
  }

  function renewOnline() {
    run("renewing", () => renewOnlineAction({}, formData({})));
  }

  function exportRequest() {
    if (busy) return;
    setBusy("exporting");
    setView(IDLE);
    setNotice(null);
    startTransition(async () => {
      try {
        const response = await fetch(`/clusters/${clusterId}/renewal-request`, { method: "POST" });
        if (!response.ok) {
          const body: unknown = await response.json().catch(() => null);
          // 401: the session ended; sign-in says so and returns here.
          if (response.status === 401 && body && typeof body === "object" && "signIn" in body && typeof body.signIn === "string") {
            if (body.signIn.startsWith("/sign-in")) return router.push(body.signIn);
          }
          const message =
            body && typeof body === "object" && "message" in body && typeof body.message === "string" ? body.message : t("error.generic");
          setView({ status: "error", message });
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
        setNotice(t("renew.exported", { file: name }));
        router.refresh();
      } catch {
        setView({ status: "error", message: t("error.generic") });
      } finally {
        setBusy(null);
      }
    });
  }

  function importFile() {
    if (!file) return setView({ status: "error", message: t("renew.noFileChosen") });
    if (file.size > MAX_UPLOAD_BYTES)
      return setView({ status: "error", message: t("failure.too_large", { limit: `${MAX_UPLOAD_BYTES / 1024} KB` }) });
    run("importing", () => validateImportAction({}, formData({ file })));
  }

  function confirm(fingerprint: string) {
    if (!file) return setView({ status: "error", message: t("renew.noFileChosen") });
    run("installing", () => confirmImportAction({}, formData({ file, fingerprint })));
  }

  function decline(fingerprint: string) {
    run("installing", () => declineImportAction({}, formData({ fingerprint })));
  }

  const validated = view.status === "validated" ? view : null;
  const finished = view.status === "renewed";

  return (
    <>
      <Button aria-haspopup="dialog" onClick={() => dialog.current?.showModal()}>
        {enroll ? t("admin.enroll") : t("admin.renew")}
      </Button>
      <dialog
        ref={dialog}
        aria-labelledby="renew-title"
        aria-describedby="renew-description"
        aria-busy={busy !== null}
        onCancel={(event) => {
          if (busy) event.preventDefault();
        }}
        onClose={reset}
        className="m-auto max-h-[92vh] w-[min(42rem,calc(100vw-2rem))] overflow-y-auto rounded-lg bg-white p-6 text-slate-900 shadow-xl backdrop:bg-slate-900/50"
      >
        <h2 id="renew-title" className="text-lg font-semibold">
          {t("renew.title")}
        </h2>
        <p id="renew-description" className="mt-1 text-sm text-slate-600">
          {t("renew.description")}
        </p>

        {!validated && !finished && (
          <fieldset className="mt-5" disabled={busy !== null}>
            <legend className="mb-2 text-sm font-medium">{t("renew.method")}</legend>
            <div className="grid gap-2 sm:grid-cols-2">
              {(["online", "offline"] as const).map((value) => (
                <div
                  key={value}
                  className={cn("flex gap-3 rounded-md border p-3", method === value ? "border-brand-600 bg-brand-50" : "border-slate-200")}
                >
                  <input
                    type="radio"
                    name="renew-method"
                    id={`renew-${value}`}
                    value={value}
                    checked={method === value}
                    aria-describedby={`renew-${value}-hint`}
                    onChange={() => {
                      setMethod(value);
                      setView(IDLE);
                      setNotice(null);
                    }}
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
        )}

        {!validated && !finished && method === "online" && (
          <div className="mt-5 flex justify-end">
            <Button onClick={renewOnline} disabled={busy !== null} aria-disabled={busy !== null}>
              {busy === "renewing" ? (
                <>
                  <Spinner />
                  {t("renew.renewing")}
                </>
              ) : (
                t("renew.renew")
              )}
            </Button>
          </div>
        )}

        {!validated && !finished && method === "offline" && (
          <div className="mt-5 flex flex-col gap-4">
            <div className="flex flex-wrap items-center justify-between gap-3 rounded-md border border-slate-200 p-3">
              <p className="text-sm text-slate-700">
                {pending ? t("renew.pendingFile", { file: pending.fileName }) : t("renew.noPendingHint")}
              </p>
              <Button variant={pending ? "secondary" : "primary"} onClick={exportRequest} disabled={busy !== null}>
                {busy === "exporting" ? (
                  <>
                    <Spinner />
                    {t("renew.exporting")}
                  </>
                ) : (
                  t("renew.export")
                )}
              </Button>
            </div>
            {pending && (
              <div className="flex flex-wrap items-center gap-3 rounded-md border border-slate-200 p-3">
                <input
                  id="renew-file"
                  type="file"
                  name="file"
                  accept=".xml,application/xml,text/xml"
                  className="peer sr-only"
                  disabled={busy !== null}
                  onChange={(event) => {
                    setFile(event.currentTarget.files?.[0] ?? null);
                    setView(IDLE);
                  }}
                />
                <label
                  htmlFor="renew-file"
                  className="inline-flex cursor-pointer items-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-slate-800 shadow-sm hover:bg-slate-100 peer-focus-visible:ring-2 peer-focus-visible:ring-brand-600"
                >
                  {t("renew.browse")}
                </label>
                <span className="min-w-0 flex-1 truncate text-sm text-slate-600" aria-live="polite">
                  {file?.name ?? t("renew.noFile")}
                </span>
                <Button onClick={importFile} disabled={busy !== null}>
                  {busy === "importing" ? (
                    <>
                      <Spinner />
                      {t("renew.importing")}
                    </>
                  ) : (
                    t("renew.import")
                  )}
                </Button>
              </div>
            )}
          </div>
        )}

        {validated && (
          <section aria-labelledby="renew-confirm-heading" className="mt-5">
            <h3 id="renew-confirm-heading" className="text-base font-semibold">
              {t("renew.confirmTitle")}
            </h3>
            <p className="mt-1 text-sm text-slate-600">{t("renew.confirmIntro")}</p>
            <dl className="mt-3 grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-3">
              <dt className="font-medium text-slate-600">{t("renew.field.issuer")}</dt>
              <dd className="sm:col-span-2">
                {validated.slc.issuer} <span className="block text-xs text-slate-500">{validated.slc.issuerSubject}</span>
              </dd>
              <dt className="font-medium text-slate-600">{t("renew.field.subject")}</dt>
              <dd className="sm:col-span-2">{validated.slc.subject}</dd>
              <dt className="font-medium text-slate-600">{t("renew.field.guid")}</dt>
              <dd className="font-mono text-xs sm:col-span-2">{validated.slc.guid}</dd>
              <dt className="font-medium text-slate-600">{t("renew.field.url")}</dt>
              <dd className="font-mono text-xs sm:col-span-2">{validated.slc.url}</dd>
              <dt className="font-medium text-slate-600">{t("renew.field.validity")}</dt>
              <dd className="sm:col-span-2">
                <time dateTime={validated.slc.validFrom}>{validated.slc.validFromText}</time> –{" "}
                <time dateTime={validated.slc.validUntil} data-testid="import-valid-until">
                  {validated.slc.validUntilText}
                </time>
              </dd>
              <dt className="font-medium text-slate-600">{t("renew.field.fingerprint")}</dt>
              <dd className="break-all font-mono text-xs sm:col-span-2">{validated.slc.fingerprint}</dd>
            </dl>
            <ChecksList checks={validated.checks} />
            <div className="mt-5 flex justify-end gap-3">
              <Button variant="secondary" onClick={() => decline(validated.slc.fingerprint)} disabled={busy !== null}>
                {t("renew.no")}
              </Button>
              <Button onClick={() => confirm(validated.slc.fingerprint)} disabled={busy !== null}>
                {busy === "installing" ? (
                  <>
                    <Spinner />
                    {t("renew.installing")}
                  </>
                ) : (
                  t("renew.yes")
                )}
              </Button>
            </div>
          </section>
        )}

        <div className="mt-4 flex flex-col gap-3">
          {notice && <Alert tone="success">{notice}</Alert>}
          {view.status === "error" && (
            <>
              <Alert tone="error">{view.message}</Alert>
              {view.checks && <ChecksList checks={view.checks} />}
            </>
          )}
          {view.status === "renewed" && <Alert tone="success">{view.message}</Alert>}
          {view.status === "declined" && <Alert tone="info">{view.message}</Alert>}
          {busy && (
            <p role="status" className="sr-only">
              {busy === "renewing"
                ? t("renew.renewing")
                : busy === "exporting"
                  ? t("renew.exporting")
                  : busy === "importing"
                    ? t("renew.importing")
                    : t("renew.installing")}
            </p>
          )}
        </div>

        <div className="mt-5 flex justify-end border-t border-slate-200 pt-4">
          <Button variant="secondary" onClick={close} disabled={busy !== null}>
            {t("renew.close")}
          </Button>
        </div>
      </dialog>
    </>
  );
}
