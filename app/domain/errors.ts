/**
 * The one "bad input" error of the application (docs/architecture.md).
 *
 * Domain rules, query modules and services throw it for input a person can correct; the web
 * turns it into a 400 naming the field (`app/lib/forms.server.ts`), the CLI into exit code 1
 * with the message (`scripts/lib/cli.ts`). Anything else is a fault, not bad input.
 */
export class InputError extends Error {
  override readonly name = "InputError";
  /** The form field or CLI option the message is about, when there is one. */
  readonly field: string | undefined;
  constructor(message: string, opts: { field?: string } = {}) {
    super(message);
    this.field = opts.field;
  }
}

export const isInputError = (e: unknown): e is InputError => e instanceof InputError;
