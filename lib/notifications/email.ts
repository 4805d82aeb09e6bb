// E-mail notifications over SMTP with STARTTLS required (nodemailer): the server's certificate is verified against
// the system roots or RMS_SMTP_CA_FILE, never skipped.
import nodemailer from "nodemailer";

export interface SmtpTarget {
  host: string;
  port: number;
  /** PEM roots for the server's certificate; default: Node's bundled roots. */
  ca?: string;
  user?: string;
  password?: string;
  from: string;
  to: string[];
}

export interface EmailMessage {
  subject: string;
  text: string;
}

export async function sendEmail(
  target: SmtpTarget,
  message: EmailMessage,
): Promise<{ ok: true; messageId: string } | { ok: false; error: string }> {
  const transport = nodemailer.createTransport({
    host: target.host,
    port: target.port,
    secure: false,
    requireTLS: true,
    tls: { ...(target.ca ? { ca: target.ca } : {}), rejectUnauthorized: true, minVersion: "TLSv1.2" },
    ...(target.user ? { auth: { user: target.user, pass: target.password ?? "" } } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  try {
    const info = await transport.sendMail({ from: target.from, to: target.to, subject: message.subject, text: message.text });
    return { ok: true, messageId: String(info.messageId) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    transport.close();
  }
}
