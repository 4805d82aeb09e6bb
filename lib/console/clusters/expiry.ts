// How urgent an SLC's expiry is, matching RMS's own events at 30 days, 7 days and expiry.
export type ExpiryStatus = "valid" | "expires_in_30" | "expires_in_7" | "expired";

const DAY_MS = 24 * 60 * 60 * 1000;

export function expiryStatus(validUntil: Date, now: Date): ExpiryStatus {
  const left = validUntil.getTime() - now.getTime();
  if (left <= 0) return "expired";
  if (left <= 7 * DAY_MS) return "expires_in_7";
  if (left <= 30 * DAY_MS) return "expires_in_30";
  return "valid";
}

/** Whole days left, rounded up (an SLC expiring in 3 hours has 1 day left); 0 once expired. */
export function daysLeft(validUntil: Date, now: Date): number {
  return Math.max(0, Math.ceil((validUntil.getTime() - now.getTime()) / DAY_MS));
}

/** The next instant at which expiryStatus or daysLeft change for this SLC (days left fall at whole days before expiry). */
export function expiryChangesAt(validUntil: Date, now: Date): Date | null {
  const left = validUntil.getTime() - now.getTime();
  if (left <= 0) return null;
  return new Date(validUntil.getTime() - (Math.ceil(left / DAY_MS) - 1) * DAY_MS);
}
