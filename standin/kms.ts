// KMS (JSON 1.1, X-Amz-Target: TrentService.<Op>): DescribeKey, GetKeyPolicy.

import { ApiError, type RequestContext } from './common';
import { optString, type JsonObject } from './json';
import { findKey } from './delivery';
import type { KmsKeyState, StandinState } from './state';

export const KMS_TARGET_PREFIX = 'TrentService.';

export interface KmsEnv {
  state: StandinState;
}

/** The key named by a key ID or key ARN (aliases are not modelled: NotFoundException). */
function keyFor(ctx: RequestContext, input: JsonObject, env: KmsEnv): KmsKeyState {
  const id = optString(input, 'KeyId');
  if (id === undefined || id === '') {
    throw new ApiError('ValidationException', "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
  }
  const key = findKey(env.state.region(ctx.region), id);
  // A key ARN of another region or account is not found here (KMS answers per region).
  if (key === undefined || (id.startsWith('arn:') && id !== key.arn)) {
    throw new ApiError('NotFoundException', `Key '${id}' does not exist`);
  }
  return key;
}

export function handleKms(ctx: RequestContext, input: JsonObject, env: KmsEnv): JsonObject {
  switch (ctx.action) {
    case 'DescribeKey': {
      const key = keyFor(ctx, input, env);
      // KeyMetadata as the KMS API Reference lists it; dates are epoch seconds on the JSON wire.
      const meta: JsonObject = {
        AWSAccountId: ctx.accountId,
        KeyId: key.keyId,
        Arn: key.arn,
        CreationDate: key.creationDate / 1000,
        Enabled: key.keyState === 'Enabled',
        Description: key.description,
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeyState: key.keyState,
        Origin: key.keyState === 'PendingImport' ? 'EXTERNAL' : 'AWS_KMS',
        KeyManager: key.keyManager,
        CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
        KeySpec: 'SYMMETRIC_DEFAULT',
        EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
        MultiRegion: false,
      };
      if (key.deletionDate !== undefined) meta.DeletionDate = key.deletionDate / 1000;
      return { KeyMetadata: meta };
    }
    case 'GetKeyPolicy': {
      const key = keyFor(ctx, input, env);
      // PolicyName is optional now and "default" is the only name a key policy has.
      const name = optString(input, 'PolicyName') ?? 'default';
      if (name !== 'default') throw new ApiError('NotFoundException', `Policy '${name}' does not exist on key '${key.arn}'`);
      return { Policy: key.policy, PolicyName: 'default' };
    }
    default:
      throw new ApiError('UnknownOperationException', `Operation ${ctx.action} is not supported by this stand-in.`);
  }
}
