// How the audit page and its CSV export word an event in the reader's language: the actor, the action and the sentence.
import "server-only";
import { formatDateTime } from "@/lib/platform/i18n/format";
import type { Locale } from "@/lib/platform/i18n/locales";
import type { Translator } from "@/lib/platform/i18n/messages";
import { localServerName } from "@/lib/platform/server-identity";
import { type ActorWording, shownActor, wordingFrom } from "./actor";
import type { AuditEvent } from "./audit";
import { isAuditAction, reasonText, sentenceValues } from "./describe";

/**
 * How actors read in the reader's language: for the page, the CSV, and the actor filter's SQL. A bare stored name is a
 * local account (or the CLI's operating-system user): MACHINE\name.
 */
export function actorWording(t: Translator): ActorWording {
  return wordingFrom(t, localServerName());
}

export function actorText(t: Translator, raw: string | null): string {
  return shownActor(raw, actorWording(t));
}

export function actionText(t: Translator, action: string): string {
  return isAuditAction(action) ? t(`audit.action.${action}`) : action;
}

/** The event as one sentence; an action this version does not know shows its raw details instead. */
export function sentenceText(t: Translator, locale: Locale, event: AuditEvent): string {
  const values = sentenceValues(event);
  const validUntil = new Date(values.date);
  const date = Number.isNaN(validUntil.getTime()) ? values.date : formatDateTime(locale, validUntil);
  const filled = { ...values, date, reason: reasonText(t, values) };
  return isAuditAction(event.action) ? t(`audit.sentence.${event.action}`, filled) : t("audit.sentence.unknown", filled);
}

/** The raw details as the disclosure and the CSV show them: JSON, keys as recorded. */
export function rawDetails(event: AuditEvent): string {
  return JSON.stringify(event.details);
}
