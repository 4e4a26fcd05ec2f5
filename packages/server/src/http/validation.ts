/**
 * Request validation: Fastify's Ajv setup, with one change. Query strings, path parameters and
 * headers arrive as strings and are coerced to their schema's types (`?limit=5` → 5), but JSON bodies
 * are not: a protocol server must not read `{"count": "5"}` as a number or `"true"` as a boolean.
 */
import { AjvCompiler } from "@fastify/ajv-compiler";

const coercing = AjvCompiler();
const strict = AjvCompiler();

/** Fastify `schemaController.compilersFactory.buildValidator`. */
export const buildValidator: ReturnType<typeof AjvCompiler> = (externalSchemas, options = {}) => {
  const forParts = coercing(externalSchemas, options);
  const forBody = strict(externalSchemas, {
    ...options,
    mode: undefined,
    customOptions: { ...options.customOptions, coerceTypes: false },
  });
  return (route) => (route.httpPart === "body" ? forBody(route) : forParts(route));
};
