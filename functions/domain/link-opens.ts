/**
 * Whether an open of a link looks like the recipient or like a mail scanner. Mail
 * security services (Safe Links, Proofpoint, Mimecast, sandboxes) fetch every link of a
 * mail, often within seconds of its delivery, sometimes with HEAD or a telling user agent.
 * A GET never acts in any case; this only decides how the console words the open.
 */
import type { LinkOpen, ScannerSign } from './ports.ts';

/** An open this soon after the link was made (and mailed) is most likely a scanner's. */
export const SCANNER_WINDOW_MS = 30_000;

/**
 * Opens of one link less than this apart are one visit: a reload, a double click, a
 * scanner's retries. The console counts visits; the last one is known to within a minute.
 */
export const VISIT_WINDOW_MS = 60_000;

/** User agents of scanners, link previews and scripts rather than people's browsers. */
const SCANNER_AGENTS =
  /bot\b|crawl|spider|slurp|preview|scan|safelinks|proofpoint|urldefense|mimecast|barracuda|symantec|messagelabs|trendmicro|forcepoint|zscaler|fortiguard|sophos|checkpoint|cisco|ironport|microsoft office|ms-office|ms search|outlook-|skypeuripreview|headlesschrome|phantomjs|python-|curl\/|wget\/|go-http-client|java\/|okhttp|libwww|httpclient|node-fetch|undici|axios/i;

export interface OpenRequest {
  method: string;
  userAgent?: string;
}

/**
 * Whether an open continues a visit the link's open record already counts: of the same kind
 * (a person's first open after only a scanner's is new) within VISIT_WINDOW_MS of the last.
 */
export function continuesVisit(
  previous: LinkOpen | undefined,
  suspected: ScannerSign | undefined,
  at: Date,
): boolean {
  if (!previous) return false;
  const since = at.getTime() - Date.parse(previous.lastOpenedAt);
  if (!(since >= 0 && since < VISIT_WINDOW_MS)) return false;
  return suspected ? (previous.suspectedCount ?? 0) > 0 : previous.firstPersonOpenedAt !== undefined;
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
