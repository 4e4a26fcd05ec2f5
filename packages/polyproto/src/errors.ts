/**
 * The one error type of the protocol package. `code` is the machine code of PROFILE §4
 * (`P2CORE_…`); the server maps it to an HTTP status or a gateway close code at its edge.
 */
export class PolyprotoError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "PolyprotoError";
  }
}

export function fail(code: string, message: string): never {
  throw new PolyprotoError(code, message);
}
