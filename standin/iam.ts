// IAM (Query protocol, Version 2010-05-08, global: signed for us-east-1): GetRole, over the account's roles.

import { ApiError, partitionOf, type QueryParams, type RequestContext } from './common';
import type { StandinState } from './state';
import { roleIdFor } from './sts';
import { elem, leaf, xmlDocument } from './xml';

export const IAM_XMLNS = 'https://iam.amazonaws.com/doc/2010-05-08/';

export interface IamEnv {
  state: StandinState;
}

/** The trust policy of Client VPN's service-linked role. */
const CLIENT_VPN_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'clientvpn.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

export function handleIam(ctx: RequestContext, params: QueryParams, env: IamEnv): string {
  if (ctx.action !== 'GetRole') {
    throw new ApiError('InvalidAction', `Could not find operation ${ctx.action} for version 2010-05-08`);
  }
  const name = params.get('RoleName');
  if (name === undefined || name === '') {
    throw new ApiError('ValidationError', "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null");
  }
  const role = env.state.roles.get(name);
  if (role === undefined) throw new ApiError('NoSuchEntity', `The role with name ${name} cannot be found.`, 404);
  const roleId = roleIdFor(name);
  const trust =
    role.trustedPrincipals === undefined
      ? CLIENT_VPN_TRUST
      : JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: role.trustedPrincipals.length === 1 ? role.trustedPrincipals[0] : role.trustedPrincipals },
              Action: 'sts:AssumeRole',
              ...(role.externalId === undefined ? {} : { Condition: { StringEquals: { 'sts:ExternalId': role.externalId } } }),
            },
          ],
        });
  // ctx.region is the signing region (us-east-1 for the commercial partition).
  const arn = `arn:${partitionOf(ctx.region)}:iam::${ctx.accountId}:role${role.path}${name}`;
  return xmlDocument(
    'GetRoleResponse',
    IAM_XMLNS,
    elem(
      'GetRoleResult',
      elem(
        'Role',
        leaf('Path', role.path),
        // IAM returns policy documents URL-encoded (IAM API Reference, Role: AssumeRolePolicyDocument).
        leaf('AssumeRolePolicyDocument', encodeURIComponent(trust)),
        leaf('MaxSessionDuration', role.maxSessionDuration),
        leaf('RoleId', roleId),
        leaf('RoleName', name),
        leaf('Arn', arn),
        leaf('CreateDate', new Date(role.createDate).toISOString()),
        elem('RoleLastUsed'),
      ),
    ),
    elem('ResponseMetadata', leaf('RequestId', ctx.requestId)),
  );
}
