// E-mail notifications over SMTP with STARTTLS required (nodemailer): the server's certificate is verified against
// the system roots or RMS_SMTP_CA_FILE, never skipped. A target from the Settings page connects through the outbound
// policy (./outbound.ts): its socket is opened here, with the guarded lookup, and handed to nodemailer.
import net from "node:net";
import nodemailer from "nodemailer";
import { guardedLookup, type OutboundPolicy, refuseLiteral } from "./outbound";

export interface SmtpTarget {
  host: string;
  port: number;
  /** PEM roots for the server's certificate; default: Node's bundled roots. */
  ca?: string;
  user?: string;
  password?: string;
  from: string;
  to: string[];
  /** Set for a target from the Settings page: where it may connect (checked on every connection). */
  guard?: OutboundPolicy;
}

const CONNECTION_TIMEOUT_MS = 10_000;

type SocketCallback = (error: Error | null, socketOptions?: { connection: net.Socket }) => void;

/** nodemailer's getSocket: a plain TCP connection through the guarded lookup (STARTTLS then runs over it as usual). */
function guardedSocket(guard: OutboundPolicy) {
  return (options: { host?: string; port?: number }, callback: SocketCallback): void => {
    const host = options.host ?? "";
    try {
      refuseLiteral(guard, host);
    } catch (error) {
      callback(error as Error);
      return;
    }
    const socket = net.connect({
      host: host.replace(/^\[|\]$/g, ""),
      port: options.port ?? 587,
      lookup: guardedLookup(guard) as unknown as net.LookupFunction,
    });
    let settled = false;
    const settle = (error: Error | null) => {
      if (settled) return;
      settled = true;
      socket.setTimeout(0);
      if (error) {
        socket.destroy();
        callback(error);
      } else callback(null, { connection: socket });
    };
    socket.setTimeout(CONNECTION_TIMEOUT_MS, () => settle(new Error(`no connection to ${host} within ${CONNECTION_TIMEOUT_MS} ms`)));
    socket.once("connect", () => settle(null));
    socket.once("error", (error) => settle(error));
  };
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
    connectionTimeout: CONNECTION_TIMEOUT_MS,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    ...(target.guard ? { getSocket: guardedSocket(target.guard) } : {}),
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
