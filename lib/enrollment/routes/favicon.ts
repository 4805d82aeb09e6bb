// GET /favicon.svg: the station's icon (a shield with a key), so browsers stop asking for a missing /favicon.ico.
import type { AppContext } from "../web/context";

const ICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="none" stroke="#0b5cad" stroke-width="2"><path d="M12 3l8 4v5c0 5-3.5 8-8 9-4.5-1-8-4-8-9V7l8-4z"/><circle cx="12" cy="11" r="2"/><path d="M12 13v4"/></svg>`;

export function favicon() {
  return (c: AppContext) => {
    c.header("Content-Type", "image/svg+xml");
    c.header("Cache-Control", "public, max-age=86400");
    return c.body(ICON);
  };
}
