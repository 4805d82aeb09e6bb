// The one format every view shows an audit actor in — DOMAIN\user for people, "System (…)" for the console itself,
// "DOMAIN\user (command line)" for the CLI — in JavaScript for the page and as SQL for the actor filter, so a search
// for what the page shows finds the row whichever way the row stored its actor.
import { type SQL, sql } from "drizzle-orm";
import type { AnyPgColumn } from "drizzle-orm/pg-core";
import type { Translator } from "@/lib/platform/i18n/messages";

/** Actors that are the console itself rather than a person (recorded by lib/console/monitor and lib/console/renewal). */
const SYSTEM_ACTORS = { monitor: "monitor", "auto-renewal": "autoRenewal", setup: "setup" } as const;
type SystemActor = (typeof SYSTEM_ACTORS)[keyof typeof SYSTEM_ACTORS];
const CLI_PREFIX = "cli:";

export type ActorView =
  | { kind: "none" }
  | { kind: "system"; system: SystemActor }
  | { kind: "person"; name: string }
  /** A command run with `npm run rms` by this operating-system user. */
  | { kind: "cli"; name: string };

/**
 * Old rows name people several ways ("alice" at sign-in, "RMS01\alice" elsewhere, "rms\alice" for a directory
 * account's sign-in, "cli:root" from the CLI): all are shown as DOMAIN\user with the domain in capitals (as Windows
 * shows it), a bare name under this machine's name, so one person reads the same in every row and filter result.
 */
export function actorView(raw: string | null, qualify: (userName: string) => string): ActorView {
  if (raw === null || raw === "") return { kind: "none" };
  const system = Object.entries(SYSTEM_ACTORS).find(([recorded]) => recorded === raw)?.[1];
  if (system) return { kind: "system", system };
  const person = raw.startsWith(CLI_PREFIX) ? raw.slice(CLI_PREFIX.length) : raw;
  const backslash = person.indexOf("\\");
  const name = backslash >= 0 ? `${person.slice(0, backslash).toUpperCase()}${person.slice(backslash)}` : qualify(person);
  return raw.startsWith(CLI_PREFIX) ? { kind: "cli", name } : { kind: "person", name };
}

/** The words an actor is shown with in one language (lib/console/audit/present.ts fills them from the catalogue). */
export interface ActorWording {
  /** The machine a bare (local) user name is shown under: MACHINE of MACHINE\user. */
  domain: string;
  system: Record<SystemActor, string>;
  /** A command-line actor reads `${before}DOMAIN\user${after}`. */
  cli: { before: string; after: string };
  /** No actor recorded. */
  none: string;
}

/** The wording from the reader's catalogue; `domain` names local accounts (lib/platform/server-identity.ts). */
export function wordingFrom(t: Translator, domain: string): ActorWording {
  // The command-line wording around its {user}, found by filling it with a character no catalogue uses.
  const marker = "\uE000";
  const [before = "", after = ""] = t("audit.actor.cli", { user: marker }).split(marker);
  return {
    domain,
    system: { monitor: t("audit.actor.monitor"), autoRenewal: t("audit.actor.autoRenewal"), setup: t("audit.actor.setup") },
    cli: { before, after },
    none: "—",
  };
}

/** An actor as every view shows it. */
export function shownActor(raw: string | null, wording: ActorWording): string {
  const view = actorView(raw, (name) => `${wording.domain}\\${name}`);
  switch (view.kind) {
    case "none":
      return wording.none;
    case "system":
      return wording.system[view.system];
    case "cli":
      return `${wording.cli.before}${view.name}${wording.cli.after}`;
    case "person":
      return view.name;
  }
}

/** shownActor as an SQL expression over the stored actor column (every word a bound parameter). */
export function shownActorSql(column: AnyPgColumn, wording: ActorWording): SQL {
  const word = (text: string) => sql`${text}::text`;
  const slash = (name: SQL) => sql`strpos(${name}, ${word("\\")})`;
  const qualified = (name: SQL) =>
    sql`(case when ${slash(name)} > 0 then upper(substr(${name}, 1, ${slash(name)} - 1)) || substr(${name}, ${slash(name)}) else ${word(`${wording.domain}\\`)} || ${name} end)`;
  const systems = Object.entries(SYSTEM_ACTORS).map(
    ([recorded, system]) => sql`when ${column} = ${word(recorded)} then ${word(wording.system[system])}`,
  );
  const cli = sql`${word(wording.cli.before)} || ${qualified(sql`substr(${column}, ${CLI_PREFIX.length + 1})`)} || ${word(wording.cli.after)}`;
  return sql`(case when ${column} is null or ${column} = '' then ${word(wording.none)} ${sql.join(systems, sql` `)} when starts_with(${column}, ${word(CLI_PREFIX)}) then ${cli} else ${qualified(sql`${column}`)} end)`;
}
