// STS (Query protocol, Version 2011-06-15): GetCallerIdentity and AssumeRole.

import { createHash } from 'node:crypto';
import { ApiError, parseIntParam, type QueryParams, type RequestContext } from './common';
import type { Identities, Principal } from './identities';
import type { RoleState, StandinState } from './state';
import { elem, leaf, xmlDocument } from './xml';

export const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export interface StsEnv {
  /** who signed the request */
  caller: Principal;
  /** the state of an account, when the stand-in knows it (AssumeRole looks the role up there) */
  account(accountId: string): StandinState | undefined;
  identities: Identities;
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

/** IAM's unique role id (AROA + 17): derived from the name so it is stable, the same as IAM GetRole reports. */
export function roleIdFor(roleName: string): string {
  return `AROA${createHash('sha256').update(roleName).digest('hex').toUpperCase().slice(0, 17)}`;
}

const ROLE_ARN_RE = /^arn:([a-z-]+):iam::(\d{12}):role(\/(?:[\x21-\x7e]+\/)?)([\w+=,.@-]{1,64})$/;
const SESSION_NAME_RE = /^[\w+=,.@-]{2,64}$/;

/**
 * The ARNs a trust policy's `Principal.AWS` can name to let this caller in: the caller's own ARN, for a role session
 * the role's ARN (what `aws:PrincipalArn` holds: IAM matches sessions of a trusted role), and the account root.
 */
function principalArns(caller: Principal, roles: ReadonlyMap<string, RoleState> | undefined): string[] {
  const out = [caller.arn];
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(caller.arn);
  const partition = /^arn:([^:]+):/.exec(caller.arn)?.[1] ?? 'aws';
  if (m !== null) {
    const name = m[3] ?? '';
    // A session ARN drops the role's path; the role's own record has it (unknown roles: the root path).
    const path = roles?.get(name)?.path ?? '/';
    out.push(`arn:${m[1] ?? partition}:iam::${m[2] ?? ''}:role${path}${name}`);
  }
  out.push(`arn:${partition}:iam::${caller.accountId}:root`);
  return out;
}

function validationError(message: string): ApiError {
  return new ApiError('ValidationError', message, 400);
}

function assumeRole(ctx: RequestContext, params: QueryParams, env: StsEnv): string {
  const roleArn = params.get('RoleArn');
  const sessionName = params.get('RoleSessionName');
  if (roleArn === undefined) throw validationError("1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null");
  if (sessionName === undefined) {
    throw validationError("1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null");
  }
  if (roleArn.length < 20 || roleArn.length > 2048) {
    throw validationError(`1 validation error detected: Value '${roleArn}' at 'roleArn' failed to satisfy constraint: Member must have length between 20 and 2048`);
  }
  if (!SESSION_NAME_RE.test(sessionName)) {
    throw validationError(
      `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64`,
    );
  }
  const duration = parseIntParam('DurationSeconds', params.get('DurationSeconds'), 'ValidationError') ?? 3600;
  if (duration < 900 || duration > 43200) {
    throw validationError(`1 validation error detected: Value '${duration}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`);
  }

  const denied = new ApiError('AccessDenied', `User: ${env.caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, 403);
  const m = ROLE_ARN_RE.exec(roleArn);
  if (m === null) throw validationError(`${roleArn} is not a valid role ARN`);
  const [, partition = 'aws', accountId = '', rawPath, roleName = ''] = m;
  const path = rawPath ?? '/';
  // A missing role and an untrusted caller look the same to the caller: AWS does not tell them apart.
  const role = env.account(accountId)?.roles.get(roleName);
  if (role?.trustedPrincipals === undefined || role.path !== path) throw denied;
  const candidates = principalArns(env.caller, env.account(env.caller.accountId)?.roles);
  if (!role.trustedPrincipals.some((p) => p === '*' || candidates.includes(p))) throw denied;
  if (role.externalId !== undefined && params.get('ExternalId') !== role.externalId) throw denied;

  // Role chaining (a role session assuming a role) is capped at one hour whatever the role allows.
  const chained = /:assumed-role\//.test(env.caller.arn);
  if (chained && duration > 3600) {
    throw validationError('The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
  }
  if (duration > role.maxSessionDuration) throw validationError('The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');

  const sessionArn = `arn:${partition}:sts::${accountId}:assumed-role/${roleName}/${sessionName}`;
  // STS reports whole seconds.
  const expiresAt = Math.floor(ctx.now.getTime() / 1000) * 1000 + duration * 1000;
  const key = env.identities.issueSession({ accountId, arn: sessionArn }, expiresAt, env.caller.arn);
  const sourceIdentity = params.get('SourceIdentity');
  return xmlDocument(
    'AssumeRoleResponse',
    STS_XMLNS,
    elem(
      'AssumeRoleResult',
      leaf('SourceIdentity', sourceIdentity),
      elem('AssumedRoleUser', leaf('Arn', sessionArn), leaf('AssumedRoleId', `${roleIdFor(roleName)}:${sessionName}`)),
      elem(
        'Credentials',
        leaf('AccessKeyId', key.accessKeyId),
        leaf('SecretAccessKey', key.secretAccessKey),
        leaf('SessionToken', key.sessionToken),
        leaf('Expiration', new Date(expiresAt).toISOString().replace('.000Z', 'Z')),
      ),
    ),
    elem('ResponseMetadata', leaf('RequestId', ctx.requestId)),
  );
}

export function handleSts(ctx: RequestContext, params: QueryParams, env: StsEnv): string {
  switch (ctx.action) {
    case 'GetCallerIdentity':
      return xmlDocument(
        'GetCallerIdentityResponse',
        STS_XMLNS,
        elem(
          'GetCallerIdentityResult',
          leaf('Arn', env.caller.arn),
          leaf('UserId', userIdFor(env.caller.arn, env.caller.accountId)),
          leaf('Account', env.caller.accountId),
        ),
        elem('ResponseMetadata', leaf('RequestId', ctx.requestId)),
      );
    case 'AssumeRole':
      return assumeRole(ctx, params, env);
    default:
      throw new ApiError('InvalidAction', `Could not find operation ${ctx.action} for version 2011-06-15`);
  }
}
