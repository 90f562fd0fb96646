/**
 * Named domain errors. Thrown, never returned. Step Functions matches Catch/Retry
 * on `error.name`, so each class sets a stable name equal to its class name.
 */

export interface FieldError {
  /** Path of the field at fault, e.g. "municipalities[3].registryEmail" (round file) or "nominees.1.email" (a form field's name). */
  field: string;
  /** A message a person understands, in Finnish. */
  message: string;
}

/** Input a person typed or uploaded is not acceptable. Maps to HTTP 400/422 at the edge. */
export class ValidationError extends Error {
  override readonly name: string = 'ValidationError';
  readonly fieldErrors: FieldError[];
  constructor(fieldErrors: FieldError[], message?: string) {
    super(message ?? fieldErrors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.fieldErrors = fieldErrors;
  }
}

/** A round file that does not parse or does not satisfy the schema. */
export class RoundFileError extends ValidationError {
  override readonly name = 'RoundFileError';
}

/** A record the caller asked for does not exist. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The action is no longer possible: the link was used, superseded, or expired. */
export class LinkNotUsableError extends Error {
  override readonly name = 'LinkNotUsableError';
  constructor(
    readonly reason: 'used' | 'superseded' | 'expired',
    message: string,
  ) {
    super(message);
  }
}

/** Someone else changed the record first (optimistic lock or conditional write lost). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** The round definition differs from the one already stored under the same id. */
export class RoundAlreadyExistsError extends Error {
  override readonly name = 'RoundAlreadyExistsError';
}

/**
 * The change was saved but its audit entry could not be written: unlike a failed save,
 * nothing is undone and whatever follows the change must still happen.
 */
export class AuditNotWrittenError extends Error {
  override readonly name = 'AuditNotWrittenError';
}
