import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { dynamoClient } from './adapters/clients.ts';
import { DynamoRateLimiter } from './adapters/rate-limiter.ts';
import { handleLinkRequest } from './http/link-routes.ts';
import { tooManyRequests } from './http/rate-limited.ts';
import { productionDeps } from './shared/deps.ts';
import { config } from './shared/env.ts';
import { withLambdaContext } from './shared/logger.ts';
import { METRIC } from './shared/metric-names.ts';
import { countMetric } from './shared/metrics.ts';

const deps = productionDeps();
const limiter = new DynamoRateLimiter(dynamoClient(), config().tableName, config().linkRateLimitPerMinute);

/** GET/POST /l/{token}: the pages officials reach from their e-mails, at most N a minute per client. */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
  .use(withLambdaContext())
  .handler(async (event) => {
    if (!(await limiter.allow(event.requestContext?.http?.sourceIp))) {
      countMetric(METRIC.linkRateLimited);
      return tooManyRequests();
    }
    return handleLinkRequest(event, deps);
  });
