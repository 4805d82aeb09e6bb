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
