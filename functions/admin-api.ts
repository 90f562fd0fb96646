import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { dynamoClient, onFirstUse, sfnClient } from './adapters/clients.ts';
import { DynamoNominationSearch } from './adapters/dynamo-search.ts';
import { DynamoNominationStore } from './adapters/dynamo-store.ts';
import { SfnNominationExecutions } from './adapters/sfn-executions.ts';
import { SfnRoundStarter } from './adapters/sfn-workflow.ts';
import { adminConfig } from './admin/config.ts';
import { type AdminHttpDeps, handleAdminRequest } from './admin/routes.ts';
import { productionDeps } from './shared/deps.ts';
import { config } from './shared/env.ts';

const { tableName, publicBaseUrl } = config();
const settings = adminConfig(publicBaseUrl);
const deps: AdminHttpDeps = {
  ...productionDeps(),
  reads: new DynamoNominationStore(dynamoClient(), tableName),
  search: new DynamoNominationSearch(dynamoClient(), tableName),
  executions: new SfnNominationExecutions(onFirstUse(sfnClient), settings.nominationStateMachineArn),
  rounds: new SfnRoundStarter(onFirstUse(sfnClient), settings.roundStateMachineArn),
  auth: settings.auth,
};

/** /admin and /admin/…: the admin console and its JSON API (auth checked in admin/auth.ts). */
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>().handler((event) =>
  handleAdminRequest(event, deps),
);
