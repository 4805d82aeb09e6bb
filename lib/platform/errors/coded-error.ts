// Expected failures that must cross a throw (a parser, a file store, a key loader) carry a typed code the caller maps.
export class CodedError<Code extends string> extends Error {
  readonly code: Code;
  constructor(code: Code, message: string) {
    super(message);
    this.code = code;
  }
}
