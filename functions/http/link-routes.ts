/**
 * The pages behind e-mailed links: GET shows, POST acts. Every failure a person can
 * cause becomes a Finnish page with a 4xx status; nothing else reaches them.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { LinkNotUsableError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { formatDateTimeFi } from '../domain/finnish.ts';
import { log } from '../shared/logger.ts';
import type { Deps } from '../use-cases/deps.ts';
import { type LinkView, openLink, submitLink } from '../use-cases/link-actions.ts';
import {
  renderApprovalPage,
  renderDecisionPage,
  renderErrorPage,
  renderProposalPage,
  renderResultPage,
} from './pages.ts';
import { htmlResponse } from './responses.ts';

/** Forms are a few kilobytes; anything much larger is not a person typing. */
export const MAX_BODY_BYTES = 64 * 1024;

class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

function formFields(event: APIGatewayProxyEventV2): Record<string, string> {
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new PayloadTooLargeError('Form too large');
  const fields: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(body)) fields[name] = value;
  return fields;
}

function proposalOf(view: LinkView) {
  if (!view.nomination.proposal) throw new NotFoundError(`Nothing proposed for ${view.municipality.id}`);
  return view.nomination.proposal;
}

function formPage(view: LinkView, fields?: Record<string, string>, error?: ValidationError): string {
  const { round, municipality, group } = view;
  const errors = error?.fieldErrors;
  switch (view.step) {
    case 'proposal':
      return renderProposalPage({
        round,
        municipality,
        groupName: group.name,
        defaultText: view.defaultProposalText,
        values: fields,
        errors,
      });
    case 'approval':
      return renderApprovalPage({ round, municipality, proposal: proposalOf(view) });
    case 'decision':
      return renderDecisionPage({
        round,
        municipality,
        proposal: proposalOf(view),
        values: fields,
        errors,
      });
  }
}

const DONE_MESSAGES = {
  proposal: 'Ehdotus on lähetetty esittelijän hyväksyttäväksi.',
  approval: 'Ehdotus on hyväksytty esityslistalle. Toimielimen sihteeri saa linkin päätöksen kirjaamiseen.',
  decision: 'Päätös on kirjattu. Pöytäkirjanote lähtee hyvinvointialueelle ja tiedoksi asianosaisille.',
} as const;

function unusablePage(error: LinkNotUsableError): APIGatewayProxyStructuredResultV2 {
  const messages = {
    used: 'Tämän linkin toiminto on jo tehty. Linkki toimii vain kerran.',
    superseded:
      'Tämä linkki on korvattu uudella tai asian käsittely on edennyt. Käytä uusinta saamaasi linkkiä.',
    expired: 'Linkin määräaika on päättynyt. Ota yhteyttä kierroksen yhteyshenkilöön.',
  };
  return htmlResponse(
    410,
    renderErrorPage({ status: 410, title: 'Linkki ei ole enää käytössä', message: messages[error.reason] }),
  );
}

function errorResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  if (error instanceof NotFoundError) {
    return htmlResponse(
      404,
      renderErrorPage({
        status: 404,
        title: 'Linkki ei ole voimassa',
        message: 'Tarkista, että kopioit linkin kokonaan.',
      }),
    );
  }
  if (error instanceof LinkNotUsableError) return unusablePage(error);
  if (error instanceof PayloadTooLargeError) {
    return htmlResponse(
      413,
      renderErrorPage({
        status: 413,
        title: 'Lomake on liian suuri',
        message: 'Lyhennä tekstejä ja yritä uudelleen.',
      }),
    );
  }
  log.error('link page failed', { error: (error as Error)?.name, message: (error as Error)?.message });
  return htmlResponse(
    500,
    renderErrorPage({
      status: 500,
      title: 'Palvelussa on häiriö',
      message: 'Yritä hetken kuluttua uudelleen.',
    }),
  );
}

export async function handleLinkRequest(
  event: APIGatewayProxyEventV2,
  deps: Deps,
): Promise<APIGatewayProxyStructuredResultV2> {
  const token = event.pathParameters?.token ?? '';
  const method = event.requestContext.http.method.toUpperCase();
  let view: LinkView | undefined;
  let fields: Record<string, string> | undefined;
  try {
    if (method === 'GET' || method === 'HEAD') {
      view = await openLink(token, deps);
      return htmlResponse(200, formPage(view));
    }
    if (method !== 'POST') {
      return htmlResponse(
        405,
        renderErrorPage({ status: 400, title: 'Virheellinen pyyntö', message: 'Käytä lomaketta.' }),
      );
    }
    fields = formFields(event);
    view = await openLink(token, deps);
    const { nomination } = await submitLink(
      token,
      fields,
      { ip: event.requestContext.http.sourceIp, userAgent: event.requestContext.http.userAgent },
      deps,
    );
    return htmlResponse(
      200,
      renderResultPage({
        title: 'Kiitos!',
        message: DONE_MESSAGES[view.step],
        details: [
          ['Kunta', view.municipality.name],
          ['Kirjattu', formatDateTimeFi(nomination.updatedAt)],
        ],
      }),
    );
  } catch (error) {
    if (error instanceof ValidationError && view) {
      return htmlResponse(422, formPage(view, fields, error));
    }
    return errorResponse(error);
  }
}
