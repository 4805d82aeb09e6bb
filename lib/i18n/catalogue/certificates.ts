// User-facing labels for SLC checks and actionable messages for every SLC and renewal-request rejection code (en, sv).
import type { RequestRejectReason } from "@/lib/certificates/renewal-request";
import type { CheckName, SlcRejectReason } from "@/lib/certificates/verify-slc";

type CertificateMessageKey = `check.${CheckName}` | `reason.${SlcRejectReason | RequestRejectReason}`;

const en = {
  "check.input": "File format",
  "check.signature": "Signature",
  "check.trusted_chain": "Trusted issuer",
  "check.whole_document": "Whole document signed",
  "check.algorithms": "Algorithms",
  "check.public_key": "Cluster key",
  "check.guid": "Server GUID",
  "check.url": "Cluster URL",
  "check.request": "Answers the open request",
  "check.validity": "Validity period",
  "check.newer_than_installed": "Newer than the installed certificate",

  "reason.too_large": "The file is too large to be a certificate or request. Check that you chose the right file.",
  "reason.not_utf8": "The file is not UTF-8 text. Use the file exactly as it was downloaded, without re-saving it in another encoding.",
  "reason.doctype": "The file contains a document type declaration, which is not accepted. Use the file exactly as it was downloaded.",
  "reason.entity": "The file declares XML entities, which is not accepted for security reasons. Use the file exactly as it was downloaded.",
  "reason.processing_instruction":
    "The file contains XML processing instructions, which are not accepted. Use the file exactly as it was downloaded.",
  "reason.malformed": "The file is not valid XML. Check that you chose the right file and that it was copied completely.",
  "reason.too_deep": "The file's XML is nested too deeply to be a genuine file. Check that you chose the right file.",
  "reason.empty": "The file is empty. Choose the file again; it may not have been copied completely.",
  "reason.comment":
    "The file contains XML comments, which genuine files never do, so it may have been altered. Get a new copy from the enrollment service.",
  "reason.no_signature": "The file is not signed. Get the signed file from the enrollment service.",
  "reason.multiple_signatures":
    "The file carries more than one signature, which is not accepted. Get a new copy from the enrollment service.",
  "reason.malformed_signature": "The file's signature is damaged. Get a new copy from the enrollment service.",
  "reason.signature_invalid":
    "The signature does not match the file: it was altered after signing. Get a new copy from the enrollment service.",
  "reason.digest_mismatch": "The file's content was changed after it was signed. Get a new copy from the enrollment service.",
  "reason.no_certificate": "The file does not say who signed it. Get a new copy from the enrollment service.",
  "reason.untrusted_chain":
    "The file was signed by an issuer this server does not trust. Install the enrollment service's root certificate or use the right enrollment service.",
  "reason.self_signed":
    "The file was signed with a self-signed certificate, which this server does not trust. Get the certificate from your enrollment service.",
  "reason.invalid_chain":
    "The issuer's certificate chain is not valid for signing certificates. Contact the administrator of the enrollment service.",
  "reason.chain_expired":
    "A certificate of the issuing enrollment service has expired. Ask the enrollment service's administrator to renew it, then request a new certificate.",
  "reason.chain_not_yet_valid":
    "A certificate of the issuing enrollment service is not valid yet. Check this server's clock, or try again later.",
  "reason.weak_key": "The key is too weak (RSA of at least 2048 bits is required). Create a new key and request again.",
  "reason.signature_wrapping":
    "The file's signature does not cover the document as a whole (a sign of tampering). Get a new copy from the enrollment service.",
  "reason.duplicate_element": "The file contains duplicated content (a sign of tampering). Get a new copy from the enrollment service.",
  "reason.reference_not_whole_document":
    "The signature covers only part of the file, which is not accepted. Get a new copy from the enrollment service.",
  "reason.not_slc": "The file is not a server licensor certificate. Check that you chose the certificate file, not the request.",
  "reason.disallowed_algorithm":
    "The file is signed with a weak or unsupported algorithm. Get a certificate signed with RSA-SHA256 from the enrollment service.",
  "reason.extra_transform": "The file's signature uses transforms that are not accepted. Get a new copy from the enrollment service.",
  "reason.wrong_public_key": "The certificate is for a different cluster key. Use the certificate issued for this server's latest request.",
  "reason.wrong_guid": "The certificate is for another RMS server. Use the certificate issued for this cluster.",
  "reason.wrong_url": "The certificate is for another cluster address. Use the certificate issued for this cluster.",
  "reason.no_pending_request":
    "There is no open renewal request for this certificate. Export a renewal request first, then import the certificate issued for it.",
  "reason.wrong_request":
    "The certificate answers a different renewal request. Import the certificate issued for the open request, or export a new request.",
  "reason.expired": "The certificate has expired. Request a new certificate.",
  "reason.not_yet_valid": "The certificate is not valid yet. Check this server's clock, or import it later.",
  "reason.not_newer":
    "The certificate does not expire after the installed one, so installing it would not renew anything. Import the newest certificate.",
  "reason.not_request": "The file is not a renewal request. Check that you chose the request file exported from the RMS server.",
  "reason.invalid_fields": "The request contains missing or invalid information. Export a new renewal request from the RMS server.",
  "reason.key_mismatch": "The request was not signed with the key it contains. Export a new renewal request from the RMS server.",
  "reason.request_from_future":
    "The request is dated in the future. Check the clocks of the RMS server and the enrollment service, then export a new request.",
  "reason.request_expired": "The request is too old. Export a new renewal request from the RMS server.",
} as const satisfies Record<CertificateMessageKey, string>;

const sv: Record<keyof typeof en, string> = {
  "check.input": "Filformat",
  "check.signature": "Signatur",
  "check.trusted_chain": "Betrodd utfärdare",
  "check.whole_document": "Hela dokumentet signerat",
  "check.algorithms": "Algoritmer",
  "check.public_key": "Klusternyckel",
  "check.guid": "Serverns GUID",
  "check.url": "Klustrets URL",
  "check.request": "Svarar på den öppna begäran",
  "check.validity": "Giltighetstid",
  "check.newer_than_installed": "Nyare än det installerade certifikatet",

  "reason.too_large": "Filen är för stor för att vara ett certifikat eller en begäran. Kontrollera att du valde rätt fil.",
  "reason.not_utf8": "Filen är inte UTF-8-text. Använd filen precis som den hämtades, utan att spara om den i en annan kodning.",
  "reason.doctype": "Filen innehåller en dokumenttypsdeklaration, vilket inte accepteras. Använd filen precis som den hämtades.",
  "reason.entity": "Filen deklarerar XML-entiteter, vilket av säkerhetsskäl inte accepteras. Använd filen precis som den hämtades.",
  "reason.processing_instruction":
    "Filen innehåller XML-bearbetningsinstruktioner, vilket inte accepteras. Använd filen precis som den hämtades.",
  "reason.malformed": "Filen är inte giltig XML. Kontrollera att du valde rätt fil och att den kopierades fullständigt.",
  "reason.too_deep": "Filens XML är för djupt nästlad för att vara en äkta fil. Kontrollera att du valde rätt fil.",
  "reason.empty": "Filen är tom. Välj filen igen; den kanske inte kopierades fullständigt.",
  "reason.comment":
    "Filen innehåller XML-kommentarer, vilket äkta filer aldrig gör, så den kan ha ändrats. Hämta en ny kopia från registreringstjänsten.",
  "reason.no_signature": "Filen är inte signerad. Hämta den signerade filen från registreringstjänsten.",
  "reason.multiple_signatures": "Filen har mer än en signatur, vilket inte accepteras. Hämta en ny kopia från registreringstjänsten.",
  "reason.malformed_signature": "Filens signatur är skadad. Hämta en ny kopia från registreringstjänsten.",
  "reason.signature_invalid":
    "Signaturen stämmer inte med filen: den har ändrats efter signeringen. Hämta en ny kopia från registreringstjänsten.",
  "reason.digest_mismatch": "Filens innehåll har ändrats efter att den signerades. Hämta en ny kopia från registreringstjänsten.",
  "reason.no_certificate": "Filen anger inte vem som signerade den. Hämta en ny kopia från registreringstjänsten.",
  "reason.untrusted_chain":
    "Filen är signerad av en utfärdare som den här servern inte litar på. Installera registreringstjänstens rotcertifikat eller använd rätt registreringstjänst.",
  "reason.self_signed":
    "Filen är signerad med ett självsignerat certifikat, som den här servern inte litar på. Hämta certifikatet från din registreringstjänst.",
  "reason.invalid_chain":
    "Utfärdarens certifikatkedja är inte giltig för att signera certifikat. Kontakta registreringstjänstens administratör.",
  "reason.chain_expired":
    "Ett certifikat hos den utfärdande registreringstjänsten har upphört att gälla. Be registreringstjänstens administratör förnya det och begär sedan ett nytt certifikat.",
  "reason.chain_not_yet_valid":
    "Ett certifikat hos den utfärdande registreringstjänsten är inte giltigt ännu. Kontrollera serverns klocka eller försök igen senare.",
  "reason.weak_key": "Nyckeln är för svag (RSA med minst 2048 bitar krävs). Skapa en ny nyckel och gör en ny begäran.",
  "reason.signature_wrapping":
    "Filens signatur täcker inte dokumentet som helhet (ett tecken på manipulation). Hämta en ny kopia från registreringstjänsten.",
  "reason.duplicate_element":
    "Filen innehåller dubblerat innehåll (ett tecken på manipulation). Hämta en ny kopia från registreringstjänsten.",
  "reason.reference_not_whole_document":
    "Signaturen täcker bara en del av filen, vilket inte accepteras. Hämta en ny kopia från registreringstjänsten.",
  "reason.not_slc": "Filen är inte ett serverlicensieringscertifikat. Kontrollera att du valde certifikatfilen och inte begäran.",
  "reason.disallowed_algorithm":
    "Filen är signerad med en svag eller ej stödd algoritm. Hämta ett certifikat signerat med RSA-SHA256 från registreringstjänsten.",
  "reason.extra_transform": "Filens signatur använder transformeringar som inte accepteras. Hämta en ny kopia från registreringstjänsten.",
  "reason.wrong_public_key": "Certifikatet gäller en annan klusternyckel. Använd certifikatet som utfärdades för serverns senaste begäran.",
  "reason.wrong_guid": "Certifikatet gäller en annan RMS-server. Använd certifikatet som utfärdades för det här klustret.",
  "reason.wrong_url": "Certifikatet gäller en annan klusteradress. Använd certifikatet som utfärdades för det här klustret.",
  "reason.no_pending_request":
    "Det finns ingen öppen förnyelsebegäran för certifikatet. Exportera först en förnyelsebegäran och importera sedan certifikatet som utfärdas för den.",
  "reason.wrong_request":
    "Certifikatet svarar på en annan förnyelsebegäran. Importera certifikatet som utfärdades för den öppna begäran, eller exportera en ny begäran.",
  "reason.expired": "Certifikatet har upphört att gälla. Begär ett nytt certifikat.",
  "reason.not_yet_valid": "Certifikatet är inte giltigt ännu. Kontrollera serverns klocka eller importera det senare.",
  "reason.not_newer":
    "Certifikatet upphör inte senare än det installerade, så det skulle inte förnya något. Importera det nyaste certifikatet.",
  "reason.not_request": "Filen är inte en förnyelsebegäran. Kontrollera att du valde begäransfilen som exporterades från RMS-servern.",
  "reason.invalid_fields": "Begäran innehåller saknad eller ogiltig information. Exportera en ny förnyelsebegäran från RMS-servern.",
  "reason.key_mismatch": "Begäran är inte signerad med nyckeln den innehåller. Exportera en ny förnyelsebegäran från RMS-servern.",
  "reason.request_from_future":
    "Begäran är daterad i framtiden. Kontrollera klockorna på RMS-servern och registreringstjänsten och exportera sedan en ny begäran.",
  "reason.request_expired": "Begäran är för gammal. Exportera en ny förnyelsebegäran från RMS-servern.",
};

export const certificateMessages = { en, sv };
export type CertificateMessageId = keyof typeof en;

/** The catalogue key for a check label. */
export function checkMessageKey(name: CheckName): CertificateMessageId {
  return `check.${name}`;
}

/** The catalogue key for an SLC or renewal-request rejection. */
export function reasonMessageKey(reason: SlcRejectReason | RequestRejectReason): CertificateMessageId {
  return `reason.${reason}`;
}
