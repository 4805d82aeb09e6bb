// Every user-visible string of the enrollment service's web site, in English and Swedish.

const en = {
  siteName: "RMS Enrollment Service",
  homeTitle: "Submit a renewal request",
  homeIntro:
    "Use this page to sign a server licensor certificate (SLC) for an RMS cluster that cannot reach this service directly. Upload the renewal request file exported from the RMS administration console (for example RMS01RenewalRequest.xml). You then download the signed certificate and import it on the console.",
  homeStepsHeading: "How it works",
  homeStep1: "On the console, choose Renew, then Offline, then Export, and bring the request file here.",
  homeStep2: "Choose the file below and select Submit.",
  homeStep3: "Download the certificate and import it on the console with Browse and Import.",
  requestFileLabel: "Request file",
  requestFileHint: "An XML file of at most 256 KB, as exported by the console.",
  submitButton: "Submit",
  downloadRootCertificate: "Download root certificate",
  rootCertificateHint: "The console trusts certificates from this service only if it has this root certificate as a trust anchor.",
  rootFingerprintLabel: "Root certificate fingerprint (SHA-256)",
  errorHeading: "The request was not accepted",
  errorDetailLabel: "Technical detail",
  submissionTitle: "Certificate issued",
  submissionIntro:
    "The renewal request was verified and a server licensor certificate was signed. Download it and import it on the console for this cluster.",
  fieldServerName: "Server name",
  fieldClusterUrl: "Cluster URL",
  fieldGuid: "Cluster GUID",
  fieldKeyFingerprint: "Public key fingerprint (SHA-256)",
  fieldRequestId: "Request ID",
  fieldSerialNumber: "Certificate serial number",
  fieldValidFrom: "Valid from",
  fieldValidUntil: "Valid until",
  fieldIssuer: "Issuer",
  downloadCertificate: "Download certificate",
  submitAnother: "Submit another request",
  notFoundTitle: "Page not found",
  notFoundText: "There is nothing at this address. Submissions are only found through the link shown after submitting.",
  backHome: "Back to the start page",
  serverErrorTitle: "Something went wrong",
  serverErrorText:
    "The service could not complete the request. Try again; if it keeps failing, ask the service's administrator to look at its log.",
  // Why a submission was rejected, and what to do about it.
  errorNoFile: "No request file was chosen. Choose the renewal request file exported from the console, then select Submit.",
  errorNotMultipart: "The form was not sent as a file upload. Use the form on this page to submit the request file.",
  errorCrossOrigin: "The form was sent from another web site and was refused. Open this page directly and submit the file here.",
  errorTooLarge:
    "The file is larger than 256 KB, so it cannot be a renewal request. Check that you chose the file exported from the console.",
  errorNotXml:
    "The file is not a readable XML document (it may be empty, damaged, or saved in another encoding). Export the request again on the console and submit the new file.",
  errorUnsafeXml:
    "The file contains XML constructs that are not allowed (such as a DOCTYPE, an entity declaration or a processing instruction). Submit the unmodified file exported from the console.",
  errorSignature:
    "The request's signature does not match its content, so it may have been changed after it was exported. Export a new request on the console and submit that file unchanged.",
  errorNotRequest:
    "The file is not a renewal request. Choose the file named like <servername>RenewalRequest.xml that the console exported.",
  errorInvalidFields:
    "The request is signed but some of its details are missing or invalid (for example the version, the cluster GUID or the URL). Check the cluster's settings on the console and export a new request.",
  errorNotSigned:
    "The file is not signed, so it cannot prove it comes from the cluster. Submit the unmodified request file exported from the console.",
  errorWeakKey:
    "The cluster's key is too short (at least 2048 bits are required). Create a new cluster key on the console, then export a new request.",
  errorRequestFromFuture:
    "The request was created in the future by this service's clock. Check the clocks of the console and of this service, then export a new request.",
  errorRequestExpired: "The request is too old to be signed (older than 30 days). Export a new request on the console and submit it.",
  errorGeneric: "The request could not be processed. Export a new request on the console and try again.",
} as const;

export type EnrollmentMessageKey = keyof typeof en;
export type EnrollmentMessages = Record<EnrollmentMessageKey, string>;
export type EnrollmentLocale = "en" | "sv";

const sv: EnrollmentMessages = {
  siteName: "RMS-registreringstjänst",
  homeTitle: "Skicka en förnyelsebegäran",
  homeIntro:
    "Använd den här sidan för att signera ett serverlicensieringscertifikat (SLC) för ett RMS-kluster som inte kan nå tjänsten direkt. Ladda upp begäransfilen som exporterades från RMS-administrationskonsolen (till exempel RMS01RenewalRequest.xml). Sedan hämtar du det signerade certifikatet och importerar det i konsolen.",
  homeStepsHeading: "Så går det till",
  homeStep1: "Välj Förnya, sedan Offline och Exportera i konsolen, och ta med begäransfilen hit.",
  homeStep2: "Välj filen nedan och välj Skicka.",
  homeStep3: "Hämta certifikatet och importera det i konsolen med Bläddra och Importera.",
  requestFileLabel: "Begäransfil",
  requestFileHint: "En XML-fil på högst 256 kB, som den exporterades från konsolen.",
  submitButton: "Skicka",
  downloadRootCertificate: "Hämta rotcertifikat",
  rootCertificateHint: "Konsolen litar bara på certifikat från den här tjänsten om den har det här rotcertifikatet som förtroendeankare.",
  rootFingerprintLabel: "Rotcertifikatets fingeravtryck (SHA-256)",
  errorHeading: "Begäran godtogs inte",
  errorDetailLabel: "Teknisk information",
  submissionTitle: "Certifikatet har utfärdats",
  submissionIntro:
    "Förnyelsebegäran har verifierats och ett serverlicensieringscertifikat har signerats. Hämta det och importera det i konsolen för det här klustret.",
  fieldServerName: "Servernamn",
  fieldClusterUrl: "Klustrets URL",
  fieldGuid: "Klustrets GUID",
  fieldKeyFingerprint: "Den offentliga nyckelns fingeravtryck (SHA-256)",
  fieldRequestId: "Begärans ID",
  fieldSerialNumber: "Certifikatets serienummer",
  fieldValidFrom: "Giltigt från",
  fieldValidUntil: "Giltigt till",
  fieldIssuer: "Utfärdare",
  downloadCertificate: "Hämta certifikat",
  submitAnother: "Skicka en annan begäran",
  notFoundTitle: "Sidan hittades inte",
  notFoundText: "Det finns inget på den här adressen. Inskickade begäranden nås bara via länken som visas efter att du skickat.",
  backHome: "Tillbaka till startsidan",
  serverErrorTitle: "Något gick fel",
  serverErrorText:
    "Tjänsten kunde inte slutföra begäran. Försök igen; om det fortsätter att misslyckas, be tjänstens administratör att titta i loggen.",
  errorNoFile: "Ingen begäransfil har valts. Välj förnyelsebegäran som exporterades från konsolen och välj sedan Skicka.",
  errorNotMultipart: "Formuläret skickades inte som en filuppladdning. Använd formuläret på den här sidan för att skicka begäransfilen.",
  errorCrossOrigin: "Formuläret skickades från en annan webbplats och avvisades. Öppna den här sidan direkt och skicka filen här.",
  errorTooLarge:
    "Filen är större än 256 kB och kan därför inte vara en förnyelsebegäran. Kontrollera att du valt filen som exporterades från konsolen.",
  errorNotXml:
    "Filen är inte ett läsbart XML-dokument (den kan vara tom, skadad eller sparad med en annan kodning). Exportera begäran igen i konsolen och skicka den nya filen.",
  errorUnsafeXml:
    "Filen innehåller XML-konstruktioner som inte är tillåtna (till exempel DOCTYPE, entitetsdeklarationer eller bearbetningsinstruktioner). Skicka den oförändrade filen som exporterades från konsolen.",
  errorSignature:
    "Begärans signatur stämmer inte med innehållet, så den kan ha ändrats efter exporten. Exportera en ny begäran i konsolen och skicka den filen oförändrad.",
  errorNotRequest: "Filen är ingen förnyelsebegäran. Välj filen med ett namn som <servernamn>RenewalRequest.xml som konsolen exporterade.",
  errorInvalidFields:
    "Begäran är signerad men vissa uppgifter saknas eller är ogiltiga (till exempel versionen, klustrets GUID eller URL:en). Kontrollera klustrets inställningar i konsolen och exportera en ny begäran.",
  errorNotSigned:
    "Filen är inte signerad och kan därför inte visa att den kommer från klustret. Skicka den oförändrade begäransfilen som exporterades från konsolen.",
  errorWeakKey:
    "Klustrets nyckel är för kort (minst 2048 bitar krävs). Skapa en ny klusternyckel i konsolen och exportera sedan en ny begäran.",
  errorRequestFromFuture:
    "Begäran skapades vid en tidpunkt som ligger i framtiden enligt tjänstens klocka. Kontrollera klockorna i konsolen och i tjänsten och exportera sedan en ny begäran.",
  errorRequestExpired: "Begäran är för gammal för att signeras (äldre än 30 dagar). Exportera en ny begäran i konsolen och skicka den.",
  errorGeneric: "Begäran kunde inte behandlas. Exportera en ny begäran i konsolen och försök igen.",
};

export const enrollmentMessages: Record<EnrollmentLocale, EnrollmentMessages> = { en, sv };
