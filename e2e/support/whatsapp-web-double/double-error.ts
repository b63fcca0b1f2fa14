/** A refusal by the double (stale QR, unknown session, bad input); the control API answers with its status. */
export class DoubleError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "DoubleError";
  }
}
