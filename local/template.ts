/**
 * The embedded stack runs what `cdk synth` produces: this module synthesizes the CDK app
 * in-process (bundling skipped: the handlers run from source here) and reads the state
 * machines, functions, HTTP routes and table out of the CloudFormation templates,
 * resolving Ref / GetAtt / Join / ImportValue to local names.
 */
import { App } from 'aws-cdk-lib';
import { ENTRY_METADATA } from '../infra/node-function.ts';
import { buildStacks } from '../infra/stacks.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './endpoints.ts';

type Template = { Resources: Record<string, CfnResource>; Outputs?: Record<string, CfnOutputDef> };
interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}
interface CfnOutputDef {
  Value: unknown;
  Export?: { Name: unknown };
}

export interface LocalFunction {
  logicalId: string;
  arn: string;
  /** Source file relative to the project root, e.g. functions/send-excerpts.ts */
  entry: string;
  handlerExport: string;
  environment: Record<string, string>;
}

export interface LocalStateMachine {
  logicalId: string;
  name: string;
  arn: string;
  definition: Record<string, unknown>;
}

export interface LocalRoute {
  method: string;
  /** API Gateway path template, e.g. /l/{token} */
  path: string;
  functionArn: string;
}

export interface LocalTable {
  name: string;
  keySchema: Array<{ AttributeName: string; KeyType: string }>;
  attributeDefinitions: Array<{ AttributeName: string; AttributeType: string }>;
  globalSecondaryIndexes?: unknown[];
}

export interface LocalApp {
  functions: LocalFunction[];
  stateMachines: LocalStateMachine[];
  routes: LocalRoute[];
  table: LocalTable;
}

export interface SynthOptions {
  /** Base URL of the local HTTP API; replaces the API Gateway endpoint. */
  apiBaseUrl: string;
  /** Extra CDK context (e.g. mailSender). */
  context?: Record<string, string>;
}

/** Local names: readable, and stable across synths (logical ids carry a hash suffix). */
function localName(path: string | undefined, logicalId: string): string {
  // aws:cdk:path is e.g. "NimitysApp/Round/StateMachine/Resource": keep "Round".
  const parts = (path ?? '').split('/');
  return parts.length >= 3 ? `Nimitys${parts[1]}` : logicalId;
}

export function synthesizeLocalApp(options: SynthOptions): LocalApp {
  const app = new App({
    context: { 'aws:cdk:bundling-stacks': [], 'aws:cdk:enable-path-metadata': true, ...options.context },
    outdir: undefined,
  });
  const stacks = buildStacks(app);
  const assembly = app.synth();
  const templates = [stacks.data, stacks.app].map(
    (stack) => assembly.getStackByName(stack.stackName).template as Template,
  );

  const resources = new Map<string, CfnResource & { metadataPath?: string }>();
  const exportsByName = new Map<string, unknown>();
  for (const template of templates) {
    for (const [id, resource] of Object.entries(template.Resources)) resources.set(id, resource);
    for (const output of Object.values(template.Outputs ?? {})) {
      if (typeof output.Export?.Name === 'string') exportsByName.set(output.Export.Name, output.Value);
    }
  }

  const physicalName = (logicalId: string): string => {
    const resource = resources.get(logicalId);
    if (!resource) throw new Error(`Template has no resource ${logicalId}`);
    const path = resource.Metadata?.['aws:cdk:path'] as string | undefined;
    switch (resource.Type) {
      case 'AWS::DynamoDB::GlobalTable':
      case 'AWS::DynamoDB::Table':
        return 'nimitys';
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${localName(path, logicalId)}`;
      case 'AWS::Lambda::Function':
        return logicalId;
      default:
        return logicalId;
    }
  };

  const getAtt = (logicalId: string, attribute: string): string => {
    const resource = resources.get(logicalId);
    if (!resource) throw new Error(`Template has no resource ${logicalId}`);
    if (resource.Type === 'AWS::Lambda::Function' && attribute === 'Arn') {
      return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${logicalId}`;
    }
    if (resource.Type === 'AWS::ApiGatewayV2::Api' && attribute === 'ApiEndpoint') return options.apiBaseUrl;
    if (attribute === 'Arn') return physicalName(logicalId);
    if (attribute === 'Name') return physicalName(logicalId).split(':').pop() ?? logicalId;
    throw new Error(`Cannot resolve ${logicalId}.${attribute} locally`);
  };

  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (!value || typeof value !== 'object') return value;
    const object = value as Record<string, unknown>;
    const [key] = Object.keys(object);
    const arg = key ? object[key] : undefined;
    switch (key) {
      case 'Ref': {
        const ref = arg as string;
        if (ref === 'AWS::Partition') return 'aws';
        if (ref === 'AWS::Region') return LOCAL_REGION;
        if (ref === 'AWS::AccountId') return LOCAL_ACCOUNT;
        if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
        return physicalName(ref);
      }
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = arg as [string, string];
        return getAtt(logicalId, attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return parts.map((part) => String(resolve(part))).join(separator);
      }
      case 'Fn::ImportValue': {
        const name = resolve(arg) as string;
        if (!exportsByName.has(name)) throw new Error(`No export named ${name}`);
        return resolve(exportsByName.get(name));
      }
      default:
        return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, resolve(v)]));
    }
  };

  const functions: LocalFunction[] = [];
  const stateMachines: LocalStateMachine[] = [];
  const routes: LocalRoute[] = [];
  let table: LocalTable | undefined;

  for (const [logicalId, resource] of resources) {
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::Lambda::Function': {
        const entry = resource.Metadata?.[ENTRY_METADATA];
        if (typeof entry !== 'string') break; // CDK's own helper functions (e.g. log retention)
        const variables =
          (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
        functions.push({
          logicalId,
          arn: getAtt(logicalId, 'Arn'),
          entry,
          handlerExport:
            String(props.Handler ?? 'index.handler')
              .split('.')
              .pop() ?? 'handler',
          environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, String(resolve(v))])),
        });
        break;
      }
      case 'AWS::StepFunctions::StateMachine': {
        const arn = physicalName(logicalId);
        stateMachines.push({
          logicalId,
          arn,
          name: arn.split(':').pop() ?? logicalId,
          definition: JSON.parse(String(resolve(props.DefinitionString))),
        });
        break;
      }
      case 'AWS::ApiGatewayV2::Route': {
        const [method, path] = String(props.RouteKey).split(' ');
        const target = String(resolve(props.Target)); // "integrations/<IntegrationLogicalId>"
        const integration = resources.get(target.replace('integrations/', ''));
        if (!method || !path || !integration) break;
        routes.push({ method, path, functionArn: String(resolve(integration.Properties?.IntegrationUri)) });
        break;
      }
      case 'AWS::DynamoDB::GlobalTable':
      case 'AWS::DynamoDB::Table':
        table = {
          name: physicalName(logicalId),
          keySchema: props.KeySchema as LocalTable['keySchema'],
          attributeDefinitions: props.AttributeDefinitions as LocalTable['attributeDefinitions'],
          globalSecondaryIndexes: props.GlobalSecondaryIndexes as unknown[] | undefined,
        };
        break;
    }
  }
  if (!table) throw new Error('The CDK app defines no table');
  return { functions, stateMachines, routes, table };
}
