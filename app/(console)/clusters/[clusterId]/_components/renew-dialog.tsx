"use client";
// The Renew button and its dialog (seed steps 2–13). With JavaScript a native modal <dialog> (the page behind is inert,
// Escape closes it unless work is running); without it the Renew button is a GET (?renew=…) that opens the same dialog
// in the page, rendered by the server. Its contents (renew-flow.tsx) are loaded when it first opens, not with the page.
import { lazy, startTransition, useCallback, useEffect, useRef, useState } from "react";
import { Button } from "@/components/ui/button";
import type { RenewMethod } from "./renew-flow";
import type { PendingView } from "./renew-forms";
import type { RenewLabels } from "./renew-labels";

const loadFlow = () => import("./renew-flow");
// No Suspense boundary: the server's HTML waits for the contents (a page without JavaScript needs them there), and the
// first opening is a transition that shows the dialog once they are loaded.
const RenewFlow = lazy(() => loadFlow().then((module) => ({ default: module.RenewFlow })));

export function RenewDialog({
  clusterId,
  enroll,
  pending,
  method,
  openedOn,
  labels,
}: {
  clusterId: string;
  enroll: boolean;
  pending: PendingView | null;
  /** The path the page suggests now: Offline while a request is pending, else Online. Every opening starts there… */
  method: RenewMethod;
  /**
   * …except the one the URL asked for (?renew=…, how the Renew button opens the dialog without JavaScript, or before
   * the page's scripts ran), which starts on the path it names. The address does not hold the suggestion after that:
   * a request exported since then means Offline, whatever the address still says.
   */
  openedOn: RenewMethod | null;
  labels: RenewLabels;
}) {
  const open = openedOn !== null;
  const dialog = useRef<HTMLDialogElement>(null);
  const [epoch, setEpoch] = useState(0);
  const [busy, setBusy] = useState(false);
  // The server's HTML opens the dialog in the page when the URL asks for it or an action just answered (no script).
  const [openInHtml] = useState(open);
  // The contents are rendered once the dialog has been asked for (by the URL, or the first Renew).
  const [wanted, setWanted] = useState(open);
  const ready = useRef(false);
  const opening = useRef(false);
  // Enroll or Renew as it was opened: after an enrollment the page behind re-renders with an SLC, but the open dialog
  // keeps saying it enrolled the cluster until it is closed.
  const [openedToEnroll, setOpenedToEnroll] = useState(enroll);
  // The contents as the server opened them in the page, until that dialog is first closed.
  const shownInHtml = openInHtml && epoch === 0;

  useEffect(() => {
    // With JavaScript, a dialog the server opened in the page becomes the modal one.
    const element = dialog.current;
    if (element?.open && !element.matches(":modal")) {
      element.close();
      element.showModal();
    }
  }, []);

  // The first opening shows the dialog when its contents are rendered (they start on the suggested path).
  const onReady = useCallback(() => {
    ready.current = true;
    if (opening.current) {
      opening.current = false;
      dialog.current?.showModal();
    }
  }, []);

  return (
    <>
      <form
        method="get"
        onSubmit={(event) => {
          event.preventDefault();
          if (!ready.current) {
            opening.current = true;
            startTransition(() => setWanted(true));
            return;
          }
          // Open on the path the page suggests now (a request exported since the dialog was last shown means Offline).
          const radio = dialog.current?.querySelector<HTMLInputElement>(`#renew-${method}`);
          if (radio && !busy) radio.checked = true;
          dialog.current?.showModal();
        }}
      >
        <input type="hidden" name="renew" value={method} />
        <Button type="submit" aria-haspopup="dialog" onPointerEnter={loadFlow} onFocus={loadFlow}>
          {enroll ? labels["admin.enroll"] : labels["admin.renew"]}
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
          // Closing starts the next opening afresh. The close event comes a task later: a dialog open again by then was
          // the one in the page becoming modal (above), not closed, and keeps its contents and what was chosen in them.
          if (dialog.current?.open) return;
          setEpoch((n) => n + 1);
          setOpenedToEnroll(enroll);
          // An address that asked for the dialog (?renew=…) no longer does: a reload shows the page, not the dialog again.
          // No state of ours (null): Next.js then keeps its own and takes the new address as the router's, so a refresh
          // that lands later (the one after an export, say) does not write the old address back.
          const address = new URL(window.location.href);
          if (address.searchParams.has("renew")) {
            address.searchParams.delete("renew");
            window.history.replaceState(null, "", address);
          }
        }}
        className="renew-dialog"
      >
        {wanted && (
          <RenewFlow
            key={epoch}
            clusterId={clusterId}
            enroll={openedToEnroll}
            pending={pending}
            method={shownInHtml ? (openedOn ?? method) : method}
            labels={labels}
            onBusy={setBusy}
            onReady={onReady}
            openInHtml={shownInHtml}
          />
        )}
      </dialog>
    </>
  );
}
