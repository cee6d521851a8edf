export enum TextErrorCode {
  InvalidSsml = 'invalid_ssml',
}

/** SSML the parser rejected, with where it went wrong so a caller can fix their markup. */
export class SsmlError extends Error {
  readonly code = TextErrorCode.InvalidSsml;

  /**
   * @param reason what is wrong, without the position
   * @param line 1-based line of the character where the problem was found
   * @param column 1-based column of that character
   */
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`Invalid SSML at line ${line}, column ${column}: ${reason}`);
    this.name = 'SsmlError';
  }
}
