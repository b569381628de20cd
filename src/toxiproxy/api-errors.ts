// Toxiproxy's API errors: message + HTTP status, serialised as {"error":msg,"status":code}.
// Any other error (bind failures, resolution failures) is a 500 with Go's error text.

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export const badRequestBody = (detail: string) => new ApiError(`bad request body: ${detail}`, 400);
export const missingField = (what: string) => new ApiError(`missing required field: ${what}`, 400);
export const proxyNotFound = () => new ApiError('proxy not found', 404);
export const proxyAlreadyExists = () => new ApiError('proxy already exists', 409);
export const invalidStream = () => new ApiError('stream was invalid, can be either upstream or downstream', 400);
export const invalidToxicType = () => new ApiError('invalid toxic type', 400);
export const toxicAlreadyExists = () => new ApiError('toxic already exists', 409);
export const toxicNotFound = () => new ApiError('toxic not found', 404);

/** status and message of any error, the way Toxiproxy's apiError() maps it */
export function describeError(err: unknown): { status: number; message: string } {
  if (err instanceof ApiError) return { status: err.status, message: err.message };
  return { status: 500, message: err instanceof Error ? err.message : String(err) };
}
