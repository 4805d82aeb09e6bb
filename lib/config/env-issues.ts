// One wording for a rejected environment, shared by both processes' env modules: each problem names its variable.

/** What createEnv reports per problem (a Standard Schema issue). */
interface EnvIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** Thrown from createEnv's onValidationError (which must not return) and caught by the module's loader. */
export class EnvError extends Error {}

export function envIssuesMessage(title: string, issues: readonly EnvIssue[]): string {
  const lines = issues.map((issue) => {
    const variable = (issue.path ?? []).map((segment) => String(typeof segment === "object" ? segment.key : segment)).join(".");
    return `  ${variable || "environment"}: ${issue.message}`;
  });
  return `${title}\n${lines.join("\n")}`;
}
