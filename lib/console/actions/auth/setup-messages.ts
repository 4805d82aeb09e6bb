// Why a setup link cannot be used, in the user's words: shown by the setup page on load and by the form after a post.
import type { SetupTokenErrorCode } from "@/lib/console/auth/setup-tokens";
import type { MessageKey } from "@/lib/platform/i18n/messages";

export const SETUP_TOKEN_MESSAGES = {
  invalid_token: "setup.invalidToken",
  expired: "setup.expired",
  used: "setup.used",
  admin_exists: "setup.adminExists",
} as const satisfies Record<SetupTokenErrorCode, MessageKey>;
