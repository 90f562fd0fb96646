import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { renderErrorPage } from './pages.ts';
import { htmlResponse } from './responses.ts';

/** 429 for a client over the link pages' per-minute limit: try again in a minute. */
export function tooManyRequests(): APIGatewayProxyStructuredResultV2 {
  const response = htmlResponse(
    429,
    renderErrorPage({
      status: 429,
      title: 'Liian monta pyyntöä',
      message:
        'Tästä osoitteesta on tullut hetken aikana liian monta pyyntöä. Yritä uudelleen minuutin kuluttua.',
    }),
  );
  return { ...response, headers: { ...response.headers, 'retry-after': '60' } };
}
