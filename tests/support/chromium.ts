// How Debian's Chromium is launched, the same for the Playwright walkthroughs and the system tests' browser.
//
// By default its headless shell (Debian package chromium-headless-shell, /usr/bin/chromium-headless-shell): the same
// Chromium release built as the headless-only browser Playwright itself runs for headless tests. Measured here on one
// stack, a new browser context with its first page took 0.62–0.71 s in it against 1.24–1.76 s in the full browser's
// headless mode (/usr/bin/chromium --headless), and page loads about a third less. CHROMIUM_PATH=/usr/bin/chromium
// runs the same tests in the full browser.
export const CHROMIUM_LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium-headless-shell",
  args: [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
  ],
};
