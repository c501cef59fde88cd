/**
 * Form handling for route actions (docs/architecture.md#forms).
 *
 * Each intent has one zod schema (in `app/forms/`), parsed here with Conform's
 * `parseWithZod`, which coerces form strings (empty → undefined, numbers, checkboxes) the
 * same way on the server and in the browser. A schema failure and an `InputError` thrown by
 * a service both become the same 400: `{ ok: false, error, field }`.
 */
import { parseWithZod } from "@conform-to/zod/v4";
import { json, type TypedResponse } from "@remix-run/node";
import type { z } from "zod";
import { InputError } from "~/domain/errors";

export { InputError };

/** The failure half of every action's result. */
export interface ActionFailure {
  ok: false;
  error: string;
  field?: string;
}

/** Parses `form` with `schema`; throws an InputError naming the first field at fault. */
export function parseForm<S extends z.ZodType>(form: FormData, schema: S): z.output<S> {
  const submission = parseWithZod(form, { schema });
  if (submission.status === "success") return submission.value as z.output<S>;
  const errors = Object.entries(submission.error ?? {}).filter(([, m]) => Array.isArray(m) && m.length > 0);
  const [field, messages] = errors[0] ?? ["", ["The form is incomplete."]];
  throw new InputError((messages as string[])[0], { field: field || undefined });
}

/** The one place an InputError becomes an HTTP 400; anything else is rethrown. */
export function inputErrorResponse<X extends object = object>(e: unknown, extra?: X): TypedResponse<ActionFailure & X> {
  if (e instanceof InputError) {
    const body = { ok: false as const, error: e.message, ...(e.field ? { field: e.field } : {}), ...(extra ?? ({} as X)) };
    return json(body as ActionFailure & X, { status: 400 });
  }
  throw e;
}

/** Runs an action body and answers an InputError with a 400 (see inputErrorResponse). */
export async function handleInput<T, X extends object = object>(
  fn: () => Promise<T>,
  extra?: X,
): Promise<T | TypedResponse<ActionFailure & X>> {
  try {
    return await fn();
  } catch (e) {
    return inputErrorResponse(e, extra);
  }
}
