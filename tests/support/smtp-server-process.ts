// A real SMTP server process for the notification tests (smtp-server, the nodemailer project's server): STARTTLS with
// the certificate given in the environment, AUTH PLAIN/LOGIN checked against the given user, and every message written
// to standard output as one JSON line (envelope, whether the session was secured, the raw message).
import { SMTPServer } from "smtp-server";

const user = process.env.SMTP_USER ?? "";
const password = process.env.SMTP_PASSWORD ?? "";
const server = new SMTPServer({
  key: process.env.SMTP_TLS_KEY,
  cert: process.env.SMTP_TLS_CERT,
  secure: false,
  authMethods: ["PLAIN", "LOGIN"],
  onAuth(auth, _session, callback) {
    if (auth.username === user && auth.password === password) return callback(null, { user });
    return callback(new Error("Invalid username or password"));
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      process.stdout.write(
        `${JSON.stringify({
          secure: session.secure,
          user: session.user ?? null,
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        })}\n`,
      );
      callback();
    });
  },
});
server.on("error", (error) => process.stderr.write(`smtp: ${error.message}\n`));
server.listen(0, "127.0.0.1", () => {
  const address = server.server.address();
  process.stdout.write(`${JSON.stringify({ listening: typeof address === "object" && address ? address.port : 0 })}\n`);
});
process.on("SIGTERM", () => server.close(() => process.exit(0)));
