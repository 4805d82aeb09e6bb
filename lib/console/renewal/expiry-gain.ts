// How much later a new SLC expires than the installed one: the confirmation shows the gain and calls out a short one.
const DAY_MS = 86_400_000;

/** Below this the new certificate barely extends the installed one: the confirmation warns before Yes. */
export const SHORT_GAIN_DAYS = 30;

export type ExpiryGain = { kind: "first" } | { kind: "extends"; days: number; short: boolean } | { kind: "not_later"; days: number };

/**
 * Whole days gained (rounded down, so "+0 days" never hides a gain of minutes as "+1"), or `not_later` when the new
 * certificate does not expire after the installed one (the verifier refuses that file; this names it for the view).
 */
export function expiryGain(installedUntil: Date | null, newUntil: Date): ExpiryGain {
  if (installedUntil === null) return { kind: "first" };
  const diff = newUntil.getTime() - installedUntil.getTime();
  if (diff <= 0) return { kind: "not_later", days: Math.ceil(diff / DAY_MS) };
  const days = Math.floor(diff / DAY_MS);
  return { kind: "extends", days, short: days < SHORT_GAIN_DAYS };
}

/** Default of RMS_RENEW_CONFIRM_DAYS_LEFT: online renewal asks before replacing a certificate with more days left. */
export const CONFIRM_DAYS_LEFT = 30;

/**
 * The one small-gain rule of both paths. The offline path always confirms (and warns about a short gain); online
 * renewal installs without asking only when the installed certificate has at most `daysLeftLimit` days left and the
 * new one gains at least SHORT_GAIN_DAYS — otherwise it shows the same confirmation, with the same warning.
 */
export function asksBeforeReplacing(installedUntil: Date | null, newUntil: Date, now: Date, daysLeftLimit: number): boolean {
  if (installedUntil === null) return false;
  const gain = expiryGain(installedUntil, newUntil);
  if (gain.kind === "not_later" || (gain.kind === "extends" && gain.short)) return true;
  return installedUntil.getTime() - now.getTime() > daysLeftLimit * DAY_MS;
}
