#!/usr/bin/env -S npx tsx
import { App } from 'aws-cdk-lib';
import { buildStacks } from './stacks.ts';

const app = new App();
buildStacks(app);
app.synth();
