/**
 * Array-valued query parameters. The core OpenAPI document declares them `style: form, explode: false`
 * (`?serials=1,2,3`); clients built on other conventions repeat the parameter (`?serials=1&serials=2`).
 * Both are accepted (PROFILE: accept tolerantly): a repeated parameter's values are taken as they are,
 * a single value is split at `separator`.
 */

/** The query schema's value (Ajv coerces a lone string to a one-element array) as a flat list. */
export function formArray(
  values: string | readonly string[] | undefined,
  separator: string | RegExp,
): string[] {
  if (values === undefined) return [];
  if (typeof values === "string") return values.split(separator);
  if (values.length === 1) return values[0]!.split(separator);
  return [...values];
}
