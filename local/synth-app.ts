/**
 * Child-process entry: synthesizes the CDK app and prints what the embedded stack needs
 * as JSON. Run apart so the long-lived stack never holds aws-cdk-lib (~350 MB) in memory.
 * Arguments: API base URL, then CDK context as JSON.
 */
import { synthesizeLocalApp } from './template.ts';

const [apiBaseUrl = 'http://127.0.0.1:3000', context = '{}'] = process.argv.slice(2);
process.stdout.write(JSON.stringify(synthesizeLocalApp({ apiBaseUrl, context: JSON.parse(context) })));
