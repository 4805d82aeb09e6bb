// One way to validate an environment, shared by both processes' env modules: each problem names its variable.

/** What createEnv reports per problem (a Standard Schema issue). */
interface EnvIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** Thrown from createEnv's onValidationError (which must not return) and caught by the module's loader. */
export class EnvError extends Error {}

function envIssuesMessage(title: string, issues: readonly EnvIssue[]): string {
  const lines = issues.map((issue) => {
    const variable = (issue.path ?? []).map((segment) => String(typeof segment === "object" ? segment.key : segment)).join(".");
    return `  ${variable || "environment"}: ${issue.message}`;
  });
  return `${title}\n${lines.join("\n")}`;
}

/** The createEnv options both processes use: a copy of `source` (createEnv deletes empty strings from it), empty = unset. */
export function envOptions(source: Record<string, string | undefined>, onValidationError: (issues: readonly EnvIssue[]) => never) {
  return { runtimeEnv: { ...source }, emptyStringAsUndefined: true, isServer: true, onValidationError } as const;
}

/** Runs `create` (a createEnv call given these options) and turns a validation failure into a message naming each variable. */
export function validateEnv<T>(
  title: string,
  create: (onValidationError: (issues: readonly EnvIssue[]) => never) => T,
): { ok: true; value: T } | { ok: false; message: string } {
  try {
    return {
      ok: true,
      value: create((issues) => {
        throw new EnvError(envIssuesMessage(title, issues));
      }),
    };
  } catch (error) {
    if (error instanceof EnvError) return { ok: false, message: error.message };
    throw error;
  }
}
