// The Renew dialog's labels, picked from the catalogue on the server and passed to the client component.

import { MAX_UPLOAD_BYTES } from "@/lib/actions/renewal/state";
import type { Translate } from "@/lib/i18n/messages";

export function renewLabels(t: Translate) {
  return {
    title: t("renew.title"),
    description: t("renew.description"),
    method: t("renew.method"),
    online: t("renew.online"),
    onlineHint: t("renew.onlineHint"),
    offline: t("renew.offline"),
    offlineHint: t("renew.offlineHint"),
    renew: t("renew.renew"),
    renewing: t("renew.renewing"),
    close: t("renew.close"),
    export: t("renew.export"),
    exporting: t("renew.exporting"),
    exported: t("renew.exported"),
    pendingFile: t("renew.pendingFile"),
    noPendingHint: t("renew.noPendingHint"),
    browse: t("renew.browse"),
    noFile: t("renew.noFile"),
    import: t("renew.import"),
    importing: t("renew.importing"),
    noFileChosen: t("renew.noFileChosen"),
    tooLarge: t("failure.too_large", { limit: `${MAX_UPLOAD_BYTES / 1024} KB` }),
    confirmTitle: t("renew.confirmTitle"),
    confirmIntro: t("renew.confirmIntro"),
    yes: t("renew.yes"),
    no: t("renew.no"),
    installing: t("renew.installing"),
    checks: t("renew.checks"),
    checkPassed: t("renew.checkPassed"),
    checkFailed: t("renew.checkFailed"),
    checkNotRun: t("renew.checkNotRun"),
    issuer: t("renew.field.issuer"),
    subject: t("renew.field.subject"),
    guid: t("renew.field.guid"),
    url: t("renew.field.url"),
    validity: t("renew.field.validity"),
    fingerprint: t("renew.field.fingerprint"),
    genericError: t("error.generic"),
  };
}

export type RenewLabels = ReturnType<typeof renewLabels>;
