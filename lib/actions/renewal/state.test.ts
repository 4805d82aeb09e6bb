import { describe, expect, it } from "vitest";
import { MAX_XML_BYTES } from "@/lib/xml/safe-xml";
import { MAX_UPLOAD_BYTES } from "./state";

describe("upload cap", () => {
  it("is the XML gate's cap, so the browser refuses exactly what the server would", () => {
    expect(MAX_UPLOAD_BYTES).toBe(MAX_XML_BYTES);
  });
});
