// What a refused settings form sends back, shared by its actions: the fields as typed (never a secret: the caller
// names which) and each problem translated next to its field. Also without JavaScript, the page renders both.

/**
 * The named fields as typed, each cut to `maxLength` characters; a field that is missing or not text is left out, or
 * given `missing` when set (an unchecked checkbox is absent from a form, and must come back unchecked).
 */
export function echoedFields<N extends string>(
  input: Record<string, unknown>,
  names: readonly N[],
  opts: { maxLength: number; missing?: string },
): Partial<Record<N, string>> {
  const values: Partial<Record<N, string>> = {};
  for (const name of names) {
    const value = input[name];
    if (typeof value === "string") values[name] = value.slice(0, opts.maxLength);
    else if (opts.missing !== undefined) values[name] = opts.missing;
  }
  return values;
}

/** Each validation issue on a field that has a message, translated, keyed by the field (the first of the issue's path). */
export function fieldErrorsOf<F extends string, K>(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey> }>,
  messages: Record<F, K>,
  t: (key: K) => string,
): Partial<Record<F, string>> {
  const fieldErrors: Partial<Record<F, string>> = {};
  for (const issue of issues) {
    const field = issue.path[0];
    if (typeof field === "string" && field in messages) fieldErrors[field as F] = t(messages[field as F]);
  }
  return fieldErrors;
}
