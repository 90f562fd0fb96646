import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handleLinkRequest } from './http/link-routes.ts';
import { productionDeps } from './shared/deps.ts';

const deps = productionDeps();

/** GET/POST /l/{token}: the pages officials reach from their e-mails. */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler((event) =>
  handleLinkRequest(event, deps),
);
