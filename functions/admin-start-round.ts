import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { sfnClient } from './adapters/clients.ts';
import { SfnRoundStarter } from './adapters/sfn-workflow.ts';
import { adminConfig } from './admin/config.ts';
import { serveAdmin } from './admin/routes.ts';
import { type StartRoundHttpDeps, startRoundRoute } from './admin/start-round-route.ts';
import { productionDepsWith } from './shared/deps.ts';
import { config } from './shared/env.ts';

const settings = adminConfig(config().publicBaseUrl);
const { store, clock } = productionDepsWith();
const deps: StartRoundHttpDeps = {
  store,
  clock,
  rounds: new SfnRoundStarter(sfnClient(), settings.roundStateMachineArn),
  auth: settings.auth,
};

/** POST /admin/rounds/new: an admin starts a round from a round file (auth as the console's). */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler((event) =>
  serveAdmin(event, deps, startRoundRoute),
);
