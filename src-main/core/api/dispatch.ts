import { z } from 'zod';
import { isMethod, requestSchemas, type Method, type ParsedParams, type Results, type WireResponse } from '../../../src-shared/api/contract';
import { ApiError, CancelledError, errorMessage } from '../../../src-shared/api/errors';

export type Handlers = { [M in Method]: (params: ParsedParams<M>) => Promise<Results[M]> | Results[M] };

function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : 'params'}: ${i.message}`);
}

/**
 * Validates one request against the contract, then runs its handler. Nothing reaches a handler
 * (and so the DB or the file system) unless its params parsed.
 */
export async function dispatch(handlers: Handlers, id: number, method: string, params: unknown): Promise<WireResponse> {
  if (!isMethod(method)) return { id, error: { code: 'unknown_method', message: `Unknown method "${method}".` } };
  const parsed = requestSchemas[method].safeParse(params ?? {});
  if (!parsed.success) {
    const issues = formatIssues(parsed.error);
    return { id, error: { code: 'invalid', message: `Invalid request for ${method}: ${issues.join('; ')}`, issues } };
  }
  try {
    const handler = handlers[method] as (p: unknown) => Promise<unknown>;
    return { id, result: await handler(parsed.data) };
  } catch (err) {
    if (err instanceof ApiError) return { id, error: err.toWire() };
    if (err instanceof CancelledError) return { id, error: { code: 'cancelled', message: err.message } };
    if (err instanceof z.ZodError) {
      const issues = formatIssues(err);
      return { id, error: { code: 'invalid', message: issues.join('; '), issues } };
    }
    return { id, error: { code: 'failed', message: errorMessage(err) } };
  }
}
