/**
 * Whether an open of a link looks like the recipient or like a mail scanner. Mail
 * security services (Safe Links, Proofpoint, Mimecast, sandboxes) fetch every link of a
 * mail, often within seconds of its delivery, sometimes with HEAD or a telling user agent.
 * A GET never acts in any case; this only decides how the console words the open.
 */
import type { ScannerSign } from './ports.ts';

/** An open this soon after the link was made (and mailed) is most likely a scanner's. */
export const SCANNER_WINDOW_MS = 30_000;

/** User agents of scanners, link previews and scripts rather than people's browsers. */
const SCANNER_AGENTS =
  /bot\b|crawl|spider|slurp|preview|scan|safelinks|proofpoint|urldefense|mimecast|barracuda|symantec|messagelabs|trendmicro|forcepoint|zscaler|fortiguard|sophos|checkpoint|cisco|ironport|microsoft office|ms-office|ms search|outlook-|skypeuripreview|headlesschrome|phantomjs|python-|curl\/|wget\/|go-http-client|java\/|okhttp|libwww|httpclient|node-fetch|undici|axios/i;

export interface OpenRequest {
  method: string;
  userAgent?: string;
}

/** The first sign that an open is a scanner's, or undefined when it looks like a person. */
export function scannerSign(request: OpenRequest, linkCreatedAt: string, at: Date): ScannerSign | undefined {
  if (request.method.toUpperCase() === 'HEAD') return 'head';
  const agent = request.userAgent?.trim() ?? '';
  if (agent === '') return 'no-user-agent';
  if (SCANNER_AGENTS.test(agent)) return 'user-agent';
  const created = Date.parse(linkCreatedAt);
  if (Number.isFinite(created) && at.getTime() - created < SCANNER_WINDOW_MS) return 'soon-after-sending';
  return undefined;
}
