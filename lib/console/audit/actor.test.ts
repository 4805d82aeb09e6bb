// One actor format: every way a row stored its actor reads as DOMAIN\user, "System (…)" or "DOMAIN\user (command line)".
import { describe, expect, it } from "vitest";
import { translatorFor } from "@/lib/platform/i18n/messages";
import { actorView, shownActor, wordingFrom } from "./actor";

const qualify = (name: string) => `RMS01\\${name}`;

describe("audit actors", () => {
  it("shows people as DOMAIN\\user whichever way the row named them", () => {
    expect(actorView("alice", qualify)).toEqual({ kind: "person", name: "RMS01\\alice" });
    expect(actorView("RMS01\\alice", qualify)).toEqual({ kind: "person", name: "RMS01\\alice" });
    expect(actorView("CONTOSO\\bob", qualify)).toEqual({ kind: "person", name: "CONTOSO\\bob" });
    expect(actorView("cli:root", qualify)).toEqual({ kind: "cli", name: "RMS01\\root" });
    // A directory sign-in stored the domain in lower case before: shown in capitals, as Windows shows it.
    expect(actorView("rms\\Alice", qualify)).toEqual({ kind: "person", name: "RMS\\Alice" });
    expect(actorView("cli:contoso\\root", qualify)).toEqual({ kind: "cli", name: "CONTOSO\\root" });
  });

  it("names the console's own actors as the system", () => {
    expect(actorView("monitor", qualify)).toEqual({ kind: "system", system: "monitor" });
    expect(actorView("auto-renewal", qualify)).toEqual({ kind: "system", system: "autoRenewal" });
    expect(actorView("setup", qualify)).toEqual({ kind: "system", system: "setup" });
    expect(actorView(null, qualify)).toEqual({ kind: "none" });
    // A person whose name merely resembles an object property is still a person.
    expect(actorView("constructor", qualify)).toEqual({ kind: "person", name: "RMS01\\constructor" });
  });

  it("words each kind in the reader's language, from the catalogue", () => {
    const sv = wordingFrom(translatorFor("sv"), "RMS");
    expect(shownActor("alice", sv)).toBe("RMS\\alice");
    expect(shownActor("RMS01\\alice", sv)).toBe("RMS01\\alice");
    expect(shownActor("cli:root", sv)).toBe("RMS\\root (kommandoraden)");
    expect(shownActor("cli:CONTOSO\\root", sv)).toBe("CONTOSO\\root (kommandoraden)");
    expect(shownActor("monitor", sv)).toBe("System (förfallobevakning)");
    expect(shownActor("", sv)).toBe("—");
    expect(shownActor(null, sv)).toBe("—");
    const en = wordingFrom(translatorFor("en"), "RMS");
    expect(en.cli).toEqual({ before: "", after: " (command line)" });
    expect(shownActor("auto-renewal", en)).toBe("System (automatic renewal)");
  });
});
