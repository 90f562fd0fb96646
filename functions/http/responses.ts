import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { PAGE_CSP } from './pages.ts';

/**
 * Headers for every page: nothing cached (pages carry personal data and act on a link),
 * no referrer (the URL holds the link token), no framing, no scripts, no external resources.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'content-security-policy': PAGE_CSP,
};

export function htmlResponse(statusCode: number, body: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { ...SECURITY_HEADERS }, body };
}
