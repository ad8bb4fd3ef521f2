// STS (Query protocol, Version 2011-06-15): GetCallerIdentity.

import { createHash } from 'node:crypto';
import { ApiError, type RequestContext } from './common';
import { elem, leaf, xmlDocument } from './xml';

export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export interface StsEnv {
  callerArn: string;
  accountId: string;
}

/**
 * The UserId AWS reports: role-session callers get `<role unique id>:<session name>` (unique ids start with
 * AROA), IAM users their user id (AIDA...), root the account id. The unique ids are derived from the ARN so
 * they are stable.
 */
export function userIdFor(arn: string, accountId: string): string {
  const uniqueId = (prefix: string, seed: string): string =>
    prefix + createHash('sha256').update(seed).digest('hex').toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 17);
  const assumed = /^arn:[^:]+:sts::\d{12}:assumed-role\/([^/]+)\/(.+)$/.exec(arn);
  if (assumed !== null) return `${uniqueId('AROA', assumed[1] ?? '')}:${assumed[2] ?? ''}`;
  if (/^arn:[^:]+:iam::\d{12}:root$/.test(arn)) return accountId;
  const user = /^arn:[^:]+:iam::\d{12}:user\/(.+)$/.exec(arn);
  if (user !== null) return uniqueId('AIDA', user[1] ?? '');
  const federated = /^arn:[^:]+:sts::\d{12}:federated-user\/(.+)$/.exec(arn);
  if (federated !== null) return `${accountId}:${federated[1] ?? ''}`;
  return uniqueId('AIDA', arn);
}

export function handleSts(ctx: RequestContext, env: StsEnv): string {
  if (ctx.action !== 'GetCallerIdentity') {
    throw new ApiError('InvalidAction', `Could not find operation ${ctx.action} for version 2011-06-15`);
  }
  return xmlDocument(
    'GetCallerIdentityResponse',
    STS_XMLNS,
    elem(
      'GetCallerIdentityResult',
      leaf('Arn', env.callerArn),
      leaf('UserId', userIdFor(env.callerArn, env.accountId)),
      leaf('Account', env.accountId),
    ),
    elem('ResponseMetadata', leaf('RequestId', ctx.requestId)),
  );
}
