import { describe, expect, it } from "vitest";
import { importStepSchema, renewOnlineSchema } from "./schemas";
import { MAX_UPLOAD_BYTES } from "./state";

const clusterId = "5f0c6a1e-8a54-4f43-9d64-8a1e0c2b7f10";
const fingerprint = Array.from({ length: 32 }, () => "AB").join(":");

describe("importStepSchema", () => {
  it("treats a post without an intent as Import (validate)", () => {
    const file = new File(["<XrML/>"], "slc.xml");
    expect(importStepSchema.parse({ clusterId, file })).toMatchObject({ intent: "validate", clusterId });
  });

  it("takes Yes with the checked document in base64, whose bytes survive a form post unchanged", () => {
    const xml = "<XrML>\n  <BODY/>\r\n</XrML>";
    const document = Buffer.from(xml).toString("base64");
    const parsed = importStepSchema.parse({ intent: "confirm", clusterId, fingerprint, document });
    expect(parsed.intent === "confirm" && Buffer.from(parsed.document, "base64").toString()).toBe(xml);
  });

  it("refuses a document that is not base64 or is larger than the upload cap", () => {
    expect(importStepSchema.safeParse({ intent: "confirm", clusterId, fingerprint, document: "<XrML/>" }).success).toBe(false);
    const tooLarge = Buffer.alloc(MAX_UPLOAD_BYTES + 3).toString("base64");
    expect(importStepSchema.safeParse({ intent: "confirm", clusterId, fingerprint, document: tooLarge }).success).toBe(false);
  });

  it("refuses an unknown intent and a malformed fingerprint", () => {
    expect(importStepSchema.safeParse({ intent: "install", clusterId, fingerprint }).success).toBe(false);
    expect(importStepSchema.safeParse({ intent: "decline", clusterId, fingerprint: "AB:CD" }).success).toBe(false);
  });
});

describe("renewOnlineSchema", () => {
  it("accepts consent to replace a pending request only as the checkbox sends it", () => {
    expect(renewOnlineSchema.parse({ clusterId, replacePending: "on" }).replacePending).toBe("on");
    expect(renewOnlineSchema.parse({ clusterId }).replacePending).toBeUndefined();
    expect(renewOnlineSchema.safeParse({ clusterId, replacePending: "yes" }).success).toBe(false);
  });
});
