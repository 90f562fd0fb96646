/**
 * The pages behind e-mailed links: GET shows, POST acts. Every failure a person can
 * cause becomes a Finnish page with a 4xx status; nothing else reaches them.
 */
import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ConflictError, LinkNotUsableError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { formatDateFi, formatDateTimeFi } from '../domain/finnish.ts';
import type { LinkTarget } from '../domain/ports.ts';
import { type Decision, isOfficialStep } from '../domain/types.ts';
import { log } from '../shared/logger.ts';
import type { Deps } from '../use-cases/deps.ts';
import { LinkGoneError, type LinkView, openLink, submitLink } from '../use-cases/link-actions.ts';
import { recordLinkOpened } from '../use-cases/link-opened.ts';
import {
  CSRF_FIELD,
  renderApprovalPage,
  renderDecisionPage,
  renderErrorPage,
  renderMinuteCheckPage,
  renderProposalPage,
  renderResultPage,
  TARGET_FIELD,
} from './pages.ts';
import { htmlResponse } from './responses.ts';

/** Forms are a few kilobytes; anything much larger is not a person typing. */
export const MAX_BODY_BYTES = 64 * 1024;

class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

/** The POST did not come from the link's own page (no or wrong CSRF value). */
class CsrfError extends Error {
  override readonly name = 'CsrfError';
}

function formFields(event: APIGatewayProxyEventV2): Record<string, string> {
  const raw = event.body ?? '';
  if (raw.length > MAX_BODY_BYTES * 2) throw new PayloadTooLargeError('Form too large');
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(body) > MAX_BODY_BYTES) throw new PayloadTooLargeError('Form too large');
  // A null-prototype record: a field named "__proto__" is just a field.
  const fields: Record<string, string> = Object.create(null);
  for (const [name, value] of new URLSearchParams(body)) fields[name] = value;
  return fields;
}

/** A link's target as its forms carry it (TARGET_FIELD): round, municipality and step. */
const targetValue = (target: LinkTarget) => `${target.roundId}/${target.municipalityId}/${target.step}`;

const TARGET_PART = /^[A-Za-z0-9_.-]{1,100}$/;

/** The posted target, or undefined when absent or malformed: it is only a hint for reading, checked against the link. */
function postedTarget(fields: Record<string, string>): LinkTarget | undefined {
  const [roundId = '', municipalityId = '', step = '', ...rest] = (fields[TARGET_FIELD] ?? '').split('/');
  if (rest.length > 0 || !TARGET_PART.test(roundId) || !TARGET_PART.test(municipalityId)) return undefined;
  if (!isOfficialStep(step)) return undefined;
  return { roundId, municipalityId, step };
}

function checkCsrf(view: LinkView, posted: string | undefined): void {
  const expected = Buffer.from(view.link.csrf ?? '');
  const got = Buffer.from(posted ?? '');
  if (expected.length === 0 || expected.length !== got.length || !timingSafeEqual(expected, got)) {
    throw new CsrfError('CSRF value missing or wrong');
  }
}

function proposalOf(view: LinkView) {
  if (!view.nomination.proposal) throw new NotFoundError(`Nothing proposed for ${view.municipality.id}`);
  return view.nomination.proposal;
}

/** A recorded decision as the decision form's fields. */
function decisionFormValues(decision: Decision): Record<string, string> {
  const values: Record<string, string> = {
    outcome: decision.outcome,
    meetingDate: decision.meetingDate,
    section: decision.section,
    diaryNumber: decision.diaryNumber ?? '',
    text: decision.text,
  };
  decision.nominees.forEach((p, i) => {
    values[`nominees.${i}.name`] = p.name;
    values[`nominees.${i}.title`] = p.title;
    values[`nominees.${i}.email`] = p.email;
    values[`nominees.${i}.phone`] = p.phone ?? '';
  });
  return values;
}

function formPage(view: LinkView, fields?: Record<string, string>, error?: ValidationError): string {
  const { round: storedRound, municipality, group, nomination } = view;
  // Texts show the nomination's own deadline when an admin extended it.
  const round = nomination.deadline ? { ...storedRound, deadline: nomination.deadline } : storedRound;
  const errors = error?.fieldErrors;
  const hidden = { csrf: view.link.csrf ?? '', target: targetValue(view.link) };
  switch (view.step) {
    case 'proposal':
      return renderProposalPage({
        round,
        municipality,
        groupName: group.name,
        defaultText: view.defaultProposalText,
        values: fields,
        errors,
        ...hidden,
        returned: nomination.returned,
        previous: nomination.returned ? nomination.proposal : undefined,
      });
    case 'approval':
      return renderApprovalPage({
        round,
        municipality,
        proposal: proposalOf(view),
        ...hidden,
        values: fields,
        errors,
      });
    case 'decision': {
      const objection =
        nomination.minuteCheck?.objection &&
        nomination.minuteCheck.decidedAt === nomination.decision?.decidedAt
          ? nomination.minuteCheck.objection
          : undefined;
      return renderDecisionPage({
        round,
        municipality,
        proposal: proposalOf(view),
        // After a minute checker's objection the form starts from the decision to correct.
        values:
          fields ?? (objection && nomination.decision ? decisionFormValues(nomination.decision) : undefined),
        errors,
        ...hidden,
        tabled: nomination.tabled,
        objection,
      });
    }
    case 'minute_check': {
      const decision = nomination.decision;
      if (!decision) throw new NotFoundError(`Nothing decided for ${municipality.id}`);
      const approvals = nomination.minuteCheck?.approvals ?? [];
      const me = view.link.recipientEmail.toLowerCase();
      return renderMinuteCheckPage({
        round,
        municipality,
        decision,
        checkerName: view.link.recipientName,
        otherCheckers: (nomination.minuteCheck?.checkers ?? [])
          .filter((c) => c.email.toLowerCase() !== me)
          .map((c) => ({
            name: c.name,
            approvedAt: approvals.find((a) => a.email.toLowerCase() === c.email.toLowerCase())?.at,
          })),
        ...hidden,
        values: fields,
        errors,
      });
    }
  }
}

const DONE_MESSAGES: Record<string, string> = {
  submitted: 'Ehdotus on lähetetty esittelijän hyväksyttäväksi.',
  approved: 'Ehdotus on hyväksytty esityslistalle. Toimielimen sihteeri saa linkin päätöksen kirjaamiseen.',
  'approval-returned':
    'Ehdotus on palautettu valmistelijalle. Hän saa kommenttisi ja uuden linkin sähköpostiin.',
  adopted: 'Päätös on kirjattu. Pöytäkirjanote lähtee hyvinvointialueelle ja tiedoksi asianosaisille.',
  adopted_with_changes:
    'Päätös on kirjattu. Pöytäkirjanote lähtee hyvinvointialueelle ja tiedoksi asianosaisille.',
  'decision-returned':
    'Päätös on kirjattu: asia palaa valmisteluun. Valmistelija saa uuden linkin sähköpostiin.',
  tabled:
    'Päätös on kirjattu: asia on pöydällä. Saat uuden linkin päätöksen kirjaamiseen seuraavan kokouksen jälkeen.',
  rejected:
    'Päätös on kirjattu: päätösehdotus hylättiin. Hyvinvointialueelle ilmoitetaan, ettei kunta nimeä edustajia.',
  'minute_check-approved':
    'Kiitos, hyväksyit pykälän tarkastetuksi. Pöytäkirjanote lähtee, kun kaikki tarkastajat ovat hyväksyneet.',
  'minute_check-returned':
    'Korjauspyyntö on lähetetty toimielimen sihteerille. Saat korjatun pykälän tarkastettavaksi uudella linkillä.',
};

const STEP_NAMES = {
  proposal: 'ehdotuksen laatiminen',
  approval: 'ehdotuksen hyväksyminen',
  decision: 'päätöksen kirjaaminen',
  minute_check: 'pöytäkirjan tarkastus',
};

function gonePage(error: LinkGoneError): APIGatewayProxyStructuredResultV2 {
  const { info } = error;
  const details: Array<[string, string]> = [];
  if (info.municipalityName) details.push(['Kunta', info.municipalityName]);
  details.push(['Tehtävä', STEP_NAMES[info.step]]);
  details.push(['Linkin saaja', info.recipientName]);
  if (info.what) details.push(['Mitä tehtiin', info.what]);
  if (info.by) details.push(['Kuka', info.by]);
  if (info.at) details.push(['Milloin', safeDateTime(info.at)]);
  if (info.deadline) details.push(['Määräaika', safeDate(info.deadline)]);
  const pages = {
    used: {
      title: 'Tämä on jo tehty',
      message: 'Tämän linkin toiminto on jo tehty, eikä sitä voi tehdä uudelleen. Linkki toimii vain kerran.',
    },
    superseded: {
      title: 'Linkki on korvattu',
      message:
        'Tämä linkki ei ole enää käytössä: sen tilalle on lähetetty uusi linkki tai asian käsittely on edennyt. Käytä uusinta saamaasi linkkiä tai ota yhteyttä alla mainittuun henkilöön.',
    },
    expired: {
      title: 'Määräaika on päättynyt',
      message:
        'Linkin määräaika on päättynyt, eikä sillä voi enää toimia. Ota yhteyttä alla mainittuun henkilöön.',
    },
  } as const;
  const page = pages[error.reason];
  return htmlResponse(
    410,
    renderErrorPage({
      status: 410,
      title: page.title,
      message: page.message,
      details,
      contact: info.contact,
    }),
  );
}

function safeDateTime(iso: string): string {
  try {
    return formatDateTimeFi(iso);
  } catch {
    return iso;
  }
}

function safeDate(iso: string): string {
  try {
    return formatDateFi(iso);
  } catch {
    return iso;
  }
}

function errorResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  if (error instanceof NotFoundError) {
    return htmlResponse(
      404,
      renderErrorPage({
        status: 404,
        title: 'Linkki ei ole voimassa',
        message:
          'Tätä linkkiä ei tunnisteta. Tarkista, että kopioit linkin kokonaan: se on sähköpostissa yhtenä pitkänä osoitteena.',
      }),
    );
  }
  if (error instanceof LinkGoneError) return gonePage(error);
  if (error instanceof LinkNotUsableError) {
    return htmlResponse(
      410,
      renderErrorPage({
        status: 410,
        title: 'Linkki ei ole enää käytössä',
        message: 'Käytä uusinta saamaasi linkkiä.',
      }),
    );
  }
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
  if (error instanceof CsrfError) {
    return htmlResponse(
      403,
      renderErrorPage({
        status: 403,
        title: 'Lomaketta ei voitu käsitellä',
        message:
          'Lomake ei tullut tämän linkin sivulta tai se on vanhentunut. Avaa linkki uudelleen ja lähetä lomake sieltä.',
      }),
    );
  }
  if (error instanceof ConflictError) {
    return htmlResponse(
      409,
      renderErrorPage({
        status: 409,
        title: 'Asia muuttui juuri',
        message: 'Joku muu käsitteli asiaa samaan aikaan. Avaa linkki uudelleen nähdäksesi tilanteen.',
      }),
    );
  }
  log.error('link page failed', { error: (error as Error)?.name, errorMessage: (error as Error)?.message });
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
      // Counted for the console's timeline (first/last open, scanner-like opens apart); acts on nothing.
      await recordLinkOpened(
        view.link,
        { method, userAgent: event.requestContext.http.userAgent },
        deps,
        view.linkOpen,
      );
      return htmlResponse(200, formPage(view));
    }
    if (method !== 'POST') {
      const response = htmlResponse(
        405,
        renderErrorPage({
          status: 405,
          title: 'Virheellinen pyyntö',
          message: 'Käytä linkin sivun lomaketta.',
        }),
      );
      return { ...response, headers: { ...response.headers, allow: 'GET, HEAD, POST' } };
    }
    fields = formFields(event);
    view = await openLink(token, deps, postedTarget(fields));
    checkCsrf(view, fields[CSRF_FIELD]);
    const result = await submitLink(
      token,
      fields,
      { ip: event.requestContext.http.sourceIp, userAgent: event.requestContext.http.userAgent },
      deps,
      view,
    );
    if (result.substitute) {
      return htmlResponse(
        200,
        renderResultPage({
          title: 'Tehtävä on siirretty',
          message: `${result.substitute.name} saa uuden linkin sähköpostiin. Tämä linkki ei enää toimi.`,
          details: [
            ['Kunta', view.municipality.name],
            ['Sijainen', `${result.substitute.name} (${result.substitute.email})`],
          ],
        }),
      );
    }
    const message =
      DONE_MESSAGES[`${view.step}-${result.outcome}`] ?? DONE_MESSAGES[result.outcome] ?? 'Kirjattu.';
    return htmlResponse(
      200,
      renderResultPage({
        title: 'Kiitos!',
        message,
        details: [
          ['Kunta', view.municipality.name],
          ['Kirjattu', formatDateTimeFi(result.nomination.updatedAt)],
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
