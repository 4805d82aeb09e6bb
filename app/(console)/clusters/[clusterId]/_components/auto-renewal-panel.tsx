// Automatic renewal in Cluster resources: on or off, the plan in plain words, the last outcome, and the switch (a
// plain form posting to the server action, so it works without JavaScript).
import { getLocale, getTranslations } from "next-intl/server";
import { buttonClass } from "@/components/ui/button";
import { autoRenewalAction } from "@/lib/console/actions/renewal/auto-renewal";
import type { AutoRenewalView } from "@/lib/console/renewal/auto-renewal";
import { formatDateTime } from "@/lib/platform/i18n/format";

export async function AutoRenewalPanel({ clusterId, view }: { clusterId: string; view: AutoRenewalView }) {
  const t = await getTranslations("autoRenewal");
  const locale = await getLocale();
  const when = (date: Date) => formatDateTime(locale, date);
  let plan: string;
  if (!view.enabled) plan = t("off");
  else if (!view.nextAttemptAt) plan = t("onUnplanned");
  else if (view.failures > 0) plan = t("onRetrying", { date: when(view.nextAttemptAt), count: view.failures });
  else plan = t(view.windowSource === "service" ? "onServiceWindow" : "onDefaultWindow", { date: when(view.nextAttemptAt) });
  return (
    <section id="automatic-renewal" aria-labelledby="automatic-renewal-heading" className="mt-6 border-t border-slate-100 pt-4">
      <h3 id="automatic-renewal-heading" className="text-sm font-semibold text-slate-900">
        {t("title")}
      </h3>
      <p className="mt-1 text-sm text-slate-700" data-testid="auto-renewal-plan">
        {plan}
      </p>
      {view.lastAttemptAt && view.lastOutcome ? (
        <p className="mt-1 text-sm text-slate-700">
          {view.lastOutcome === "success"
            ? t("lastSucceeded", { date: when(view.lastAttemptAt) })
            : t("lastFailed", { date: when(view.lastAttemptAt), detail: view.lastDetail ?? "" })}
        </p>
      ) : null}
      <form action={autoRenewalAction} className="mt-3">
        <input type="hidden" name="clusterId" value={clusterId} />
        <input type="hidden" name="enabled" value={view.enabled ? "off" : "on"} />
        <button type="submit" className={buttonClass("secondary")}>
          {t(view.enabled ? "turnOff" : "turnOn")}
        </button>
      </form>
    </section>
  );
}
