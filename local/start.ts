/**
 * npm start: the embedded stack on 127.0.0.1, data under .nimitys/ (NIMITYS_DATA_DIR moves
 * it), until Ctrl-C or SIGTERM. The table, the executions and the mail survive a restart,
 * even a kill: running executions go on where they were.
 */
import path from 'node:path';
import { PROJECT_ROOT } from '../infra/paths.ts';
import { portsFromEnv } from './endpoints.ts';
import { startEmbeddedStack } from './stack.ts';

const started = performance.now();
const dataRoot = process.env.NIMITYS_DATA_DIR
  ? path.resolve(process.env.NIMITYS_DATA_DIR)
  : path.join(PROJECT_ROOT, '.nimitys');
const stack = await startEmbeddedStack({
  ports: portsFromEnv(),
  dataDir: path.join(dataRoot, 'dynamodb'),
  adminCredentialFile: path.join(dataRoot, 'admin.json'),
  linkSecretFile: path.join(dataRoot, 'link-secret.json'),
  stateDir: dataRoot,
});
const { urls, stateMachineArns, admin, restored } = stack;
const adminSignIn = admin.password
  ? `user name ${admin.credential.username}, password ${admin.password}
                      (shown this once; only its hash is kept in .nimitys/admin.json)`
  : `user name ${admin.credential.username}, the password shown on the first start
                      (forgot it? delete .nimitys/admin.json and start again)`;
const ms = Math.round(performance.now() - started);

console.log(`
Nimitys embedded stack is up (${ms} ms), everything on 127.0.0.1:

  DynamoDB API        ${urls.dynamodb}   (dynalite; data in ${path.relative(PROJECT_ROOT, dataRoot) || '.'}/dynamodb)
  SES API             ${urls.ses}   mail viewer: ${urls.ses}/
  Step Functions API  ${urls.sfn}   (aws-local-stepfunctions, the synthesized ASL)
                      restored ${restored.executions} executions, ${restored.running} of them running (replayed in ${restored.replayMs} ms); ${restored.mails} mails
  HTTP API (links)    ${urls.http}/l/{token}
  Admin console       ${urls.http}/admin
    sign in with      ${adminSignIn}

  State machines      ${stateMachineArns.round}
                      ${stateMachineArns.nomination}

Try it, in another terminal:
  npx nimitys round start examples/pohjois-karjala-2024.yaml --from-today
  npx nimitys status
  npm run demo                      # the Liperi case end to end, against this stack
  aws --endpoint-url ${urls.sfn} --region eu-north-1 stepfunctions list-executions \\
      --state-machine-arn ${stateMachineArns.round}
    (any credentials do, e.g. AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local)

Ctrl-C stops it.`);

// A clean stop: requests in progress and running task functions finish first (bounded),
// and the next start goes on from there. A kill loses nothing acknowledged either.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return;
    stopping = true;
    const stopStarted = performance.now();
    console.log(`\n${signal}: stopping…`);
    await stack.stop();
    console.log(`stopped in ${Math.round(performance.now() - stopStarted)} ms`);
    process.exit(0);
  });
}
