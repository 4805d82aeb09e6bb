// Where the administrator is on the offline path: 1 Export → 2 Sign at the enrollment service → 3 Import → 4 Confirm.
// Shared by the pending card (server) and the Renew dialog (client); the current step is marked for assistive technology.
import { cn } from "@/components/ui/cn";
import type { OfflineProgressLabels } from "./renew-labels";

/** The step at hand; 5 once the certificate is installed (every step done). */
export type OfflineStep = 1 | 2 | 3 | 4 | 5;

export function OfflineProgress({
  current,
  labels,
  showSignAt,
}: {
  current: OfflineStep;
  labels: OfflineProgressLabels;
  /** Where to submit the request (the pending card says it in its own words). */
  showSignAt: boolean;
}) {
  return (
    <nav aria-label={labels.progress} className="text-sm">
      <ol className="flex flex-col gap-1 sm:flex-row sm:flex-wrap sm:gap-x-4">
        {labels.steps.map((step, index) => {
          const number = index + 1;
          const state = number < current ? "done" : number === current ? "current" : "todo";
          return (
            <li
              key={step.name}
              aria-current={state === "current" ? "step" : undefined}
              data-step={step.name}
              className={cn(
                "flex items-center gap-2",
                state === "current" ? "font-semibold text-brand-800" : state === "done" ? "text-slate-600" : "text-slate-500",
              )}
            >
              <span
                aria-hidden="true"
                className={cn(
                  "inline-flex h-5 w-5 shrink-0 items-center justify-center rounded-full border text-xs",
                  state === "current" ? "border-brand-700 bg-brand-700 text-white" : "border-slate-400",
                )}
              >
                {state === "done" ? "✓" : number}
              </span>
              <span>
                <span className="sr-only">{step.stepOf}: </span>
                {step.label}
              </span>
            </li>
          );
        })}
      </ol>
      {current <= 2 && showSignAt && <p className="mt-2 text-xs text-slate-600">{labels.signAt}</p>}
    </nav>
  );
}
