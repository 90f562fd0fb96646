#!/usr/bin/env -S npx tsx
/**
 * The CDK app of `npx cdk synth|diff|deploy`: the stacks, checked by cdk-nag's AwsSolutions
 * pack on every synth. An unacknowledged finding fails the synth; acknowledgements sit beside
 * the constructs they concern. (The embedded stack synthesizes without nag: local/template.ts.)
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildStacks } from './stacks.ts';

const app = new App();
buildStacks(app);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
app.synth();
