// Talking to a running console over HTTP the way a browser does: sign-in form post, server actions by id.
import fs from "node:fs";
import path from "node:path";
import { ROOT } from "./processes";

export type ActionName =
  | "renewOnlineAction"
  | "validateImportAction"
  | "confirmImportAction"
  | "declineImportAction"
  | "cancelRequestAction"
  | "signInAction"
  | "signOutAction";

/** Server action ids of the production build, by exported name. */
export function actionId(name: ActionName): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, ".next", "server", "server-reference-manifest.json"), "utf8")) as {
    node: Record<string, { exportedName: string }>;
  };
  const id = Object.entries(manifest.node).find(([, v]) => v.exportedName === name)?.[0];
  if (!id) throw new Error(`no server action ${name} in the build`);
  return id;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

export interface SignInResult {
  status: number;
  cookie: string | null;
  location: string | null;
  body: string;
}

/** The progressively enhanced sign-in form: GET /sign-in for the $ACTION_ID_ field, then a multipart POST. */
export async function postSignIn(
  baseUrl: string,
  userName: string,
  password: string,
  headers: Record<string, string> = {},
): Promise<SignInResult> {
  const page = await fetch(`${baseUrl}/sign-in`);
  const html = await page.text();
  const signInForm = [...html.matchAll(/<form[\s\S]*?<\/form>/g)].map((m) => m[0]).find((f) => f.includes('name="userName"'));
  if (!signInForm) throw new Error("the sign-in page has no sign-in form");
  const form = new FormData();
  for (const input of signInForm.matchAll(/<input type="hidden" name="(\$ACTION_[^"]*)"(?: value="([^"]*)")?/g)) {
    form.append(input[1] ?? "", decodeEntities(input[2] ?? ""));
  }
  form.append("next", "/");
  form.append("userName", userName);
  form.append("password", password);
  const response = await fetch(`${baseUrl}/sign-in`, {
    method: "POST",
    body: form,
    redirect: "manual",
    headers: { Origin: baseUrl, ...headers },
  });
  const setCookie = response.headers.getSetCookie().find((c) => c.startsWith("rms_session="));
  return {
    status: response.status,
    cookie: setCookie ? (setCookie.split(";")[0] ?? null) : null,
    location: response.headers.get("location"),
    body: await response.text(),
  };
}

export async function signIn(baseUrl: string, who: { userName: string; password: string }): Promise<string> {
  const result = await postSignIn(baseUrl, who.userName, who.password);
  if (result.status !== 303 || !result.cookie) throw new Error(`sign-in as ${who.userName} failed: HTTP ${result.status}`);
  return result.cookie;
}

export interface ActionResponse {
  status: number;
  text: string;
  contentType: string;
}

/**
 * Calls a (prevState, FormData) server action by id with the body React's encodeReply produces for those
 * arguments in a browser (checked against a Chromium capture in e2e/attacks.spec.ts): multipart, field "0" holds
 * the argument array with the FormData as "$K1", and the FormData's own fields are prefixed "_1_".
 */
export async function callAction(
  baseUrl: string,
  pagePath: string,
  name: ActionName,
  fields: Record<string, string | Blob>,
  opts: { cookie?: string | null; origin?: string | null; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<ActionResponse> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === "string") form.append(`_1_${key}`, value);
    else form.append(`_1_${key}`, value, "certificate.xml");
  }
  form.append("0", JSON.stringify([{}, "$K1"]));
  const origin = opts.origin === undefined ? baseUrl : opts.origin;
  const response = await fetch(`${baseUrl}${pagePath}`, {
    method: "POST",
    body: form,
    redirect: "manual",
    signal: opts.signal,
    headers: {
      Accept: "text/x-component",
      "Next-Action": actionId(name),
      ...(origin ? { Origin: origin } : {}),
      ...(opts.cookie ? { Cookie: opts.cookie } : {}),
      ...opts.headers,
    },
  });
  return { status: response.status, text: await response.text(), contentType: response.headers.get("content-type") ?? "" };
}

/** The RenewState the action returned, pulled out of the RSC payload ("1:{...}" line). */
export function actionState(response: ActionResponse): {
  status: string;
  message?: string;
  slc?: { fingerprint: string };
  checks?: Array<{ name: string; status: string }>;
} {
  for (const line of response.text.split("\n")) {
    const match = /^[0-9a-f]+:(\{.*\})$/.exec(line);
    if (!match?.[1]) continue;
    try {
      const parsed = JSON.parse(match[1]) as Record<string, unknown>;
      // next-safe-action wraps the state as { data }.
      const value = (typeof parsed.data === "object" && parsed.data !== null ? parsed.data : parsed) as Record<string, unknown>;
      if (typeof value.status === "string") return value as ReturnType<typeof actionState>;
      const refused = (parsed.validationErrors as { formErrors?: unknown } | undefined)?.formErrors;
      if (Array.isArray(refused) && typeof refused[0] === "string") return { status: "error", message: refused[0] };
    } catch {
      // not this line
    }
  }
  throw new Error(`no action state in HTTP ${response.status} ${response.contentType}: ${response.text.slice(0, 500)}`);
}

/** Offline Export through the route handler; returns the request document and its request id. */
export async function exportRequest(baseUrl: string, clusterId: string, cookie: string): Promise<{ xml: string; requestId: string }> {
  const response = await fetch(`${baseUrl}/clusters/${clusterId}/renewal-request`, {
    method: "POST",
    headers: { Origin: baseUrl, Cookie: cookie },
  });
  const xml = await response.text();
  if (response.status !== 200) throw new Error(`export: HTTP ${response.status} ${xml.slice(0, 300)}`);
  const requestId = /<RequestId>([^<]+)</.exec(xml)?.[1];
  if (!requestId) throw new Error("export: no RequestId");
  return { xml, requestId };
}

/** What the admin does on the enrollment station: have the request signed (here through its API). */
export async function enrollDirect(enrollmentUrl: string, requestXml: string): Promise<string> {
  const response = await fetch(`${enrollmentUrl}/api/enroll`, {
    method: "POST",
    headers: { "Content-Type": "application/xml" },
    body: requestXml,
  });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`enroll: HTTP ${response.status} ${body.slice(0, 300)}`);
  return body;
}
