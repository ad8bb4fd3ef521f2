import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), 'utf8')) as T;
}

/** The real console CreateClientVpnEndpoint record (IAM user, logging off). */
export function createRecord(): any {
  return fixture('cloudtrail-create-clientvpn-logging-disabled-iamuser.json');
}

/**
 * A successful console ModifyClientVpnEndpoint record. No public recording of a successful one
 * exists: this is the real FAILED record with its error fields removed and `responseElements`
 * shaped like the Create/Delete records (see tests/fixtures/README.md).
 */
export function modifyRecord(): any {
  const r = fixture('cloudtrail-modify-clientvpn-failed-invalidparametervalue-assumedrole.json');
  delete r.errorCode;
  delete r.errorMessage;
  r.responseElements = {
    ModifyClientVpnEndpointResponse: {
      xmlns: 'http://ec2.amazonaws.com/doc/2016-11-15/',
      requestId: r.requestID,
      return: true,
    },
  };
  return r;
}

/** Wraps a CloudTrail record in the EventBridge envelope of the AWS doc sample. */
export function envelope(record: any, overrides: Record<string, unknown> = {}): any {
  const doc = fixture('eventbridge-cloudtrail-envelope-awsdoc-s3-createbucket-root.json');
  return {
    ...doc,
    id: `eb-${record.eventID}`,
    source: 'aws.ec2',
    account: record.recipientAccountId,
    time: record.eventTime,
    region: record.awsRegion,
    detail: record,
    ...overrides,
  };
}

/** Points a record at another endpoint/region/account, keeping its real shape. */
export function retarget(
  record: any,
  opts: { endpointId?: string; region?: string; account?: string; eventId?: string; eventTime?: string },
): any {
  const r = structuredClone(record);
  if (opts.endpointId) {
    if (r.eventName === 'CreateClientVpnEndpoint') {
      r.responseElements.CreateClientVpnEndpointResponse.clientVpnEndpointId = opts.endpointId;
    } else {
      r.requestParameters.ModifyClientVpnEndpointRequest.ClientVpnEndpointId = opts.endpointId;
    }
  }
  if (opts.region) r.awsRegion = opts.region;
  if (opts.account) {
    r.recipientAccountId = opts.account;
    r.userIdentity.accountId = opts.account;
    r.userIdentity.arn = r.userIdentity.arn.replace(/\d{12}/, opts.account);
    if (r.userIdentity.sessionContext?.sessionIssuer?.arn) {
      r.userIdentity.sessionContext.sessionIssuer.arn = r.userIdentity.sessionContext.sessionIssuer.arn.replace(
        /\d{12}/,
        opts.account,
      );
    }
  }
  if (opts.eventId) r.eventID = opts.eventId;
  if (opts.eventTime) r.eventTime = opts.eventTime;
  return r;
}

/**
 * The request of cvpn-log-guard's own fix, as CloudTrail records it on a Modify record: the
 * endpoint ID and `ConnectionLogOptions` with logging on, nothing else.
 */
export function asOwnFixRequest(record: any, logGroup: string): any {
  const r = structuredClone(record);
  const id = r.requestParameters.ModifyClientVpnEndpointRequest.ClientVpnEndpointId;
  r.requestParameters = {
    ModifyClientVpnEndpointRequest: { ClientVpnEndpointId: id, ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: logGroup } },
  };
  return r;
}
