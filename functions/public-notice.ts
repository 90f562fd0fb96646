import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { NotFoundError } from './domain/errors.ts';
import { notFoundPage, publicNoticeHtml, publicNoticeResponse } from './http/public-notice-page.ts';
import { productionDepsWith, productionMailer } from './shared/deps.ts';
import { publicNoticeOf } from './use-cases/public-notice.ts';

// The mailer only reads: the outbox dates the notice (when the excerpt went to the organiser).
const deps = productionDepsWith({ mailer: productionMailer() });
const ID = /^[a-z0-9][a-z0-9-]{0,79}$/;

/** GET /paatos/{roundId}/{municipalityId}: the public notice of a decision (Kuntalaki § 140). */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler(
  async (event) => {
    const { roundId = '', municipalityId = '' } = event.pathParameters ?? {};
    if (!ID.test(roundId) || !ID.test(municipalityId)) return notFoundPage();
    try {
      return publicNoticeResponse(
        200,
        publicNoticeHtml(await publicNoticeOf({ roundId, municipalityId }, deps)),
      );
    } catch (error) {
      if (error instanceof NotFoundError) return notFoundPage();
      throw error;
    }
  },
);
