import { StepFunctionsError } from './errors.ts';

export const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

/** AWS: 0 or absent means the default page size; at most 1000. */
export function pageSize(maxResults: number | undefined): number {
  if (maxResults === undefined || maxResults === 0) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > MAX_PAGE_SIZE) {
    throw new StepFunctionsError(
      'ValidationException',
      `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${MAX_PAGE_SIZE}`,
    );
  }
  return maxResults;
}

/**
 * Opaque page tokens. They carry a position that stays valid while new items arrive
 * (a sequence number or event id), plus what they page over so a token cannot be
 * replayed against another listing.
 */
export function encodeToken(scope: string, position: number): string {
  return Buffer.from(JSON.stringify({ s: scope, p: position })).toString('base64url');
}

export function decodeToken(token: string, scope: string): number {
  try {
    if (token.length > 1024) throw new Error('too long');
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 's' in parsed && 'p' in parsed) {
      const { s, p } = parsed;
      if (s === scope && typeof p === 'number' && Number.isInteger(p)) return p;
    }
  } catch {
    // fall through to the AWS error
  }
  throw new StepFunctionsError('InvalidToken', `Invalid Token: '${token.slice(0, 64)}'`);
}
