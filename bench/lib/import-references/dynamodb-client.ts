/** Cold-import reference: the DynamoDB client alone, made as a function makes it (every function has it). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export const client = new DynamoDBClient({});
