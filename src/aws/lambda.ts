import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { toAwsCallError } from './errors';

export { LambdaClient };

export interface InvokeResult {
  /** Set when the function threw (`Unhandled`) or its runtime failed. */
  functionError?: string;
  payload: string;
}

/** Invokes a function synchronously with a JSON payload. */
export async function invokeFunction(lambda: LambdaClient, functionName: string, payload: unknown): Promise<InvokeResult> {
  try {
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
    return { functionError: out.FunctionError, payload: out.Payload ? new TextDecoder().decode(out.Payload) : '' };
  } catch (error) {
    throw toAwsCallError('Invoke', error);
  }
}
