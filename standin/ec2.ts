// EC2 (Query protocol, Version 2016-11-15): DescribeClientVpnEndpoints, ModifyClientVpnEndpoint, DescribeRegions.
// Element names follow the SDK's own schema (xmlName traits of @aws-sdk/client-ec2): note `dnsServer`,
// `tagSet`, `securityGroupIdSet`, and the capitalised children of `connectionLogOptions`.

import {
  ApiError,
  decodeToken,
  encodeToken,
  hasAnyUnder,
  indexedList,
  indexesUnder,
  parseBool,
  parseIntParam,
  type QueryParams,
  type RequestContext,
} from './common';
import { createStream } from './delivery';
import { ec2Time, inventLogStream, type EndpointRecord, type EndpointState, type StandinState } from './state';
import { elem, elemIf, fragment, leaf, list, text, xmlDocument, type Xml } from './xml';

export const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export type OptInStatus = 'opt-in-not-required' | 'opted-in' | 'not-opted-in';

export interface RegionInfo {
  name: string;
  optInStatus: OptInStatus;
}

/** The 17 regions that need no opt-in, then some opt-in regions this account has not opted into. */
export const DEFAULT_REGIONS: readonly RegionInfo[] = [
  ...[
    'ap-south-1',
    'eu-north-1',
    'eu-west-3',
    'eu-west-2',
    'eu-west-1',
    'ap-northeast-3',
    'ap-northeast-2',
    'ap-northeast-1',
    'ca-central-1',
    'sa-east-1',
    'ap-southeast-1',
    'ap-southeast-2',
    'eu-central-1',
    'us-east-1',
    'us-east-2',
    'us-west-1',
    'us-west-2',
  ].map((name): RegionInfo => ({ name, optInStatus: 'opt-in-not-required' })),
  ...['af-south-1', 'ap-east-1', 'ap-south-2', 'ap-southeast-3', 'eu-south-1', 'eu-central-2', 'me-south-1', 'il-central-1'].map(
    (name): RegionInfo => ({ name, optInStatus: 'not-opted-in' }),
  ),
];

export interface Ec2Env {
  state: StandinState;
  regions: readonly RegionInfo[];
}

export function ec2ErrorXml(code: string, message: string, requestId: string): string {
  return xmlDocument(
    'Response',
    undefined,
    elem('Errors', elem('Error', leaf('Code', code), leaf('Message', message))),
    leaf('RequestID', requestId),
  );
}

export function handleEc2(ctx: RequestContext, params: QueryParams, env: Ec2Env): string {
  switch (ctx.action) {
    case 'DescribeClientVpnEndpoints':
      return describeClientVpnEndpoints(ctx, params, env);
    case 'ModifyClientVpnEndpoint':
      return modifyClientVpnEndpoint(ctx, params, env);
    case 'DescribeRegions':
      return describeRegions(ctx, params, env);
    default:
      throw new ApiError('InvalidAction', `The action ${ctx.action} is not valid for this web service.`);
  }
}

function respond(ctx: RequestContext, ...children: Xml[]): string {
  return xmlDocument(`${ctx.action}Response`, EC2_XMLNS, leaf('requestId', ctx.requestId), ...children);
}

function checkDryRun(params: QueryParams): void {
  if (parseBool('DryRun', params.get('DryRun')) === true) {
    throw new ApiError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
  }
}

function notFound(ids: string[]): ApiError {
  const quoted = ids.map((i) => `'${i}'`).join(', ');
  return new ApiError(
    'InvalidClientVpnEndpointId.NotFound',
    ids.length === 1 ? `The clientVpnEndpoint ID ${quoted} does not exist` : `The clientVpnEndpoint IDs ${quoted} do not exist`,
  );
}

interface Filter {
  name: string;
  values: string[];
}

function readFilters(params: QueryParams, allowed: readonly string[]): Filter[] {
  const filters: Filter[] = [];
  for (const n of indexesUnder(params, 'Filter')) {
    const name = params.get(`Filter.${n}.Name`);
    if (name === undefined) {
      throw new ApiError('MissingParameter', `The request must contain the parameter Filter.${n}.Name`);
    }
    if (!allowed.includes(name)) {
      throw new ApiError('InvalidParameterValue', `The filter '${name}' is invalid`);
    }
    filters.push({ name, values: indexedList(params, `Filter.${n}.Value`) });
  }
  return filters;
}

// ---------------------------------------------------------------------------------------------------------------
// DescribeClientVpnEndpoints

function describeClientVpnEndpoints(ctx: RequestContext, params: QueryParams, env: Ec2Env): string {
  checkDryRun(params);
  const maxResults = parseIntParam('MaxResults', params.get('MaxResults'));
  if (maxResults !== undefined && (maxResults < 5 || maxResults > 1000)) {
    throw new ApiError(
      'InvalidParameterValue',
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.`,
    );
  }
  const ids = indexedList(params, 'ClientVpnEndpointId');
  const filters = readFilters(params, ['endpoint-id', 'transport-protocol']);
  const region = env.state.region(ctx.region);

  let records: EndpointRecord[];
  if (ids.length > 0) {
    const missing = ids.filter((id) => !region.endpoints.has(id));
    if (missing.length > 0) throw notFound(missing);
    const wanted = new Set(ids);
    records = [...region.endpoints.values()].filter((r) => wanted.has(r.current.id));
  } else {
    records = [...region.endpoints.values()];
  }
  for (const f of filters) {
    records = records.filter((r) => {
      const value = f.name === 'endpoint-id' ? r.current.id : r.current.transportProtocol;
      return f.values.includes(value);
    });
  }

  const fingerprint = JSON.stringify({ ids, filters });
  const nextTokenIn = params.get('NextToken');
  let offset = 0;
  if (nextTokenIn !== undefined && nextTokenIn !== '') {
    const decoded = decodeToken(nextTokenIn, fingerprint);
    if (decoded === undefined) {
      throw new ApiError('InvalidPaginationToken', 'The specified pagination token is not valid or is expired.');
    }
    offset = decoded;
  }
  const pageSize = maxResults ?? 1000;
  const page = records.slice(offset, offset + pageSize);
  const nextOffset = offset + page.length;
  const nextToken = nextOffset < records.length ? encodeToken(nextOffset, fingerprint) : undefined;

  const shown = page.map((r) => visibleState(r));
  return respond(ctx, list('clientVpnEndpoint', shown.map(endpointXml), { always: true }), leaf('nextToken', nextToken));
}

/** The state a Describe sees: the pre-Modify snapshot while stale reads are pending. */
function visibleState(r: EndpointRecord): EndpointState {
  if (r.staleReads > 0 && r.beforeLastModify !== undefined) {
    r.staleReads -= 1;
    return r.beforeLastModify;
  }
  return r.current;
}

/** The children of one `<clientVpnEndpoint><item>`. */
export function endpointXml(e: EndpointState): Xml {
  const log = e.logging;
  return fragment(
    leaf('clientVpnEndpointId', e.id),
    leaf('description', e.description),
    elem('status', leaf('code', e.status.code), leaf('message', e.status.message)),
    leaf('creationTime', e.creationTime),
    leaf('deletionTime', e.deletionTime),
    leaf('dnsName', e.dnsName),
    leaf('clientCidrBlock', e.clientCidrBlock),
    list('dnsServer', e.dnsServers.map(text)),
    leaf('splitTunnel', e.splitTunnel),
    leaf('vpnProtocol', e.vpnProtocol),
    leaf('transportProtocol', e.transportProtocol),
    leaf('vpnPort', e.vpnPort),
    leaf('serverCertificateArn', e.serverCertificateArn),
    list(
      'authenticationOptions',
      e.authenticationOptions.map((a) =>
        fragment(
          leaf('type', a.type),
          elemIf(a.activeDirectory !== undefined, 'activeDirectory', leaf('directoryId', a.activeDirectory?.directoryId)),
          elemIf(
            a.mutualAuthentication !== undefined,
            'mutualAuthentication',
            leaf('clientRootCertificateChain', a.mutualAuthentication?.clientRootCertificateChain),
          ),
          elemIf(
            a.federatedAuthentication !== undefined,
            'federatedAuthentication',
            leaf('samlProviderArn', a.federatedAuthentication?.samlProviderArn),
            leaf('selfServiceSamlProviderArn', a.federatedAuthentication?.selfServiceSamlProviderArn),
          ),
        ),
      ),
    ),
    elem(
      'connectionLogOptions',
      leaf('Enabled', log.enabled),
      leaf('CloudwatchLogGroup', log.enabled ? log.logGroup : undefined),
      leaf('CloudwatchLogStream', log.enabled ? log.logStream : undefined),
      leaf('IncludeAuthorizationPolicyContext', log.includeAuthorizationPolicyContext),
    ),
    list(
      'tagSet',
      Object.entries(e.tags).map(([k, v]) => fragment(leaf('key', k), leaf('value', v))),
    ),
    list('securityGroupIdSet', e.securityGroupIds.map(text)),
    leaf('vpcId', e.vpcId),
    leaf('selfServicePortalUrl', e.selfServicePortalUrl),
    e.clientConnectOptions === null
      ? fragment()
      : elem(
          'clientConnectOptions',
          leaf('enabled', e.clientConnectOptions.enabled),
          leaf('lambdaFunctionArn', e.clientConnectOptions.lambdaFunctionArn),
          elemIf(e.clientConnectOptions.statusCode !== undefined, 'status', leaf('code', e.clientConnectOptions.statusCode)),
        ),
    leaf('sessionTimeoutHours', e.sessionTimeoutHours),
    e.clientLoginBannerOptions === null
      ? fragment()
      : elem(
          'clientLoginBannerOptions',
          leaf('enabled', e.clientLoginBannerOptions.enabled),
          leaf('bannerText', e.clientLoginBannerOptions.bannerText),
        ),
    e.clientRouteEnforcementOptions === null
      ? fragment()
      : elem('clientRouteEnforcementOptions', leaf('enforced', e.clientRouteEnforcementOptions.enforced)),
    leaf('disconnectOnSessionTimeout', e.disconnectOnSessionTimeout),
    leaf('endpointIpAddressType', e.endpointIpAddressType),
    leaf('trafficIpAddressType', e.trafficIpAddressType),
  );
}


// ---------------------------------------------------------------------------------------------------------------
// ModifyClientVpnEndpoint

function requireParam(params: QueryParams, name: string): string {
  const v = params.get(name);
  if (v === undefined || v === '') {
    throw new ApiError('MissingParameter', `The request must contain the parameter ${name}`);
  }
  return v;
}

function modifyClientVpnEndpoint(ctx: RequestContext, params: QueryParams, env: Ec2Env): string {
  const id = requireParam(params, 'ClientVpnEndpointId');
  const region = env.state.region(ctx.region);
  const record = region.endpoints.get(id);
  if (record === undefined || record.current.status.code === 'deleted') throw notFound([id]);
  if (record.current.status.code === 'deleting') {
    throw new ApiError('IncorrectState', `The Client VPN endpoint ${id} is in the deleting state and cannot be modified.`);
  }
  checkDryRun(params);

  const next = structuredClone(record.current);
  const touchedStreams: Array<{ group: string; stream: string }> = [];

  if (hasAnyUnder(params, 'ConnectionLogOptions')) {
    const enabled = parseBool('ConnectionLogOptions.Enabled', params.get('ConnectionLogOptions.Enabled'));
    if (enabled === undefined) {
      throw new ApiError('MissingParameter', 'The request must contain the parameter ConnectionLogOptions.Enabled');
    }
    const includeCtx = parseBool(
      'ConnectionLogOptions.IncludeAuthorizationPolicyContext',
      params.get('ConnectionLogOptions.IncludeAuthorizationPolicyContext'),
    );
    if (enabled) {
      const group = params.get('ConnectionLogOptions.CloudwatchLogGroup');
      if (group === undefined || group === '') {
        throw new ApiError(
          'InvalidParameterValue',
          'A CloudWatch Logs log group name (ConnectionLogOptions.CloudwatchLogGroup) is required when connection logging is enabled.',
        );
      }
      if (!region.logGroups.has(group)) {
        throw new ApiError(
          'InvalidParameterValue',
          `The CloudWatch Logs log group '${group}' does not exist in ${ctx.region}. Create it before enabling connection logging.`,
        );
      }
      let stream = params.get('ConnectionLogOptions.CloudwatchLogStream');
      if (stream !== undefined && (stream === '' || stream.length > 512 || /[:*]/.test(stream))) {
        throw new ApiError('InvalidParameterValue', `The CloudWatch Logs log stream name '${stream}' is not valid.`);
      }
      const before = record.current.logging;
      if (stream === undefined) {
        // Same group re-enabled while already logging keeps its stream; otherwise Client VPN invents one.
        stream =
          before.enabled && before.logGroup === group && before.logStream !== undefined
            ? before.logStream
            : inventLogStream(id, ctx.region, ctx.now);
      }
      next.logging = { enabled: true, logGroup: group, logStream: stream };
      touchedStreams.push({ group, stream });
    } else {
      next.logging = { enabled: false };
    }
    if (includeCtx !== undefined) next.logging.includeAuthorizationPolicyContext = includeCtx;
  }

  const cert = params.get('ServerCertificateArn');
  if (cert !== undefined) {
    if (!cert.startsWith('arn:')) throw new ApiError('InvalidParameterValue', `Certificate ARN '${cert}' is not valid.`);
    next.serverCertificateArn = cert;
  }

  if (hasAnyUnder(params, 'DnsServers')) {
    const dnsEnabled = parseBool('DnsServers.Enabled', params.get('DnsServers.Enabled'));
    const servers = indexedList(params, 'DnsServers.CustomDnsServers');
    if (servers.length > 2) throw new ApiError('InvalidParameterValue', 'You can specify up to two DNS servers.');
    next.dnsServers = dnsEnabled === false ? [] : servers;
  }

  const vpnPort = parseIntParam('VpnPort', params.get('VpnPort'));
  if (vpnPort !== undefined) {
    if (vpnPort !== 443 && vpnPort !== 1194) {
      throw new ApiError('InvalidParameterValue', `Invalid VPN port ${vpnPort}. Valid values are 443 and 1194.`);
    }
    next.vpnPort = vpnPort;
  }

  const description = params.get('Description');
  if (description !== undefined) next.description = description;

  const split = parseBool('SplitTunnel', params.get('SplitTunnel'));
  if (split !== undefined) next.splitTunnel = split;

  const sgs = indexedList(params, 'SecurityGroupId');
  if (sgs.length > 0) next.securityGroupIds = sgs;

  const vpcId = params.get('VpcId');
  if (vpcId !== undefined) next.vpcId = vpcId;

  const portal = params.get('SelfServicePortal');
  if (portal !== undefined) {
    if (portal !== 'enabled' && portal !== 'disabled') {
      throw new ApiError('InvalidParameterValue', `Invalid value '${portal}' for SelfServicePortal.`);
    }
    next.selfServicePortalUrl = portal === 'enabled' ? `https://self-service.clientvpn.amazonaws.com/endpoints/${id}` : null;
  }

  if (hasAnyUnder(params, 'ClientConnectOptions')) {
    const cc = next.clientConnectOptions ?? { enabled: false };
    const ccEnabled = parseBool('ClientConnectOptions.Enabled', params.get('ClientConnectOptions.Enabled'));
    if (ccEnabled !== undefined) cc.enabled = ccEnabled;
    const fn = params.get('ClientConnectOptions.LambdaFunctionArn');
    if (fn !== undefined) cc.lambdaFunctionArn = fn;
    if (!cc.enabled) delete cc.lambdaFunctionArn;
    next.clientConnectOptions = cc;
  }

  const timeout = parseIntParam('SessionTimeoutHours', params.get('SessionTimeoutHours'));
  if (timeout !== undefined) {
    if (![8, 10, 12, 24].includes(timeout)) {
      throw new ApiError('InvalidParameterValue', `Invalid session timeout ${timeout}. Valid values are 8, 10, 12 and 24.`);
    }
    next.sessionTimeoutHours = timeout;
  }

  if (hasAnyUnder(params, 'ClientLoginBannerOptions')) {
    const banner = next.clientLoginBannerOptions ?? { enabled: false };
    const bEnabled = parseBool('ClientLoginBannerOptions.Enabled', params.get('ClientLoginBannerOptions.Enabled'));
    if (bEnabled !== undefined) banner.enabled = bEnabled;
    const bannerText = params.get('ClientLoginBannerOptions.BannerText');
    if (bannerText !== undefined) banner.bannerText = bannerText;
    if (!banner.enabled) delete banner.bannerText;
    next.clientLoginBannerOptions = banner;
  }

  const enforced = parseBool('ClientRouteEnforcementOptions.Enforced', params.get('ClientRouteEnforcementOptions.Enforced'));
  if (enforced !== undefined) next.clientRouteEnforcementOptions = { enforced };

  const disconnect = parseBool('DisconnectOnSessionTimeout', params.get('DisconnectOnSessionTimeout'));
  if (disconnect !== undefined) next.disconnectOnSessionTimeout = disconnect;

  // Commit only after every check passed.
  record.beforeLastModify = record.current;
  record.current = next;
  for (const { group, stream } of touchedStreams) {
    const lg = region.logGroups.get(group);
    if (lg !== undefined && !lg.streams.includes(stream)) lg.streams.push(stream);
    // Client VPN creates its stream when logging is enabled (through its service-linked role).
    if (lg !== undefined) createStream(env.state, lg, stream, ctx.now.getTime());
  }
  return respond(ctx, leaf('return', true));
}

// ---------------------------------------------------------------------------------------------------------------
// DescribeRegions

function describeRegions(ctx: RequestContext, params: QueryParams, env: Ec2Env): string {
  checkDryRun(params);
  const all = parseBool('AllRegions', params.get('AllRegions')) === true;
  const names = indexedList(params, 'RegionName');
  const filters = readFilters(params, ['region-name', 'endpoint', 'opt-in-status']);
  const known = new Map(env.regions.map((r) => [r.name, r]));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) throw new ApiError('InvalidParameterValue', `Invalid region: ${unknown.join(', ')}`);

  let regions =
    names.length > 0
      ? names.flatMap((n) => {
          const r = known.get(n);
          return r === undefined ? [] : [r];
        })
      : env.regions.filter((r) => all || r.optInStatus !== 'not-opted-in');
  for (const f of filters) {
    regions = regions.filter((r) => {
      const value = f.name === 'region-name' ? r.name : f.name === 'endpoint' ? regionEndpoint(r.name) : r.optInStatus;
      return f.values.includes(value);
    });
  }
  return respond(
    ctx,
    list(
      'regionInfo',
      regions.map((r) =>
        fragment(leaf('regionName', r.name), leaf('regionEndpoint', regionEndpoint(r.name)), leaf('optInStatus', r.optInStatus)),
      ),
      { always: true },
    ),
  );
}

function regionEndpoint(region: string): string {
  return region.startsWith('cn-') ? `ec2.${region}.amazonaws.com.cn` : `ec2.${region}.amazonaws.com`;
}

/** For control-API callers: mark an endpoint deleted the way Describe shows it afterwards. */
export function markDeleted(e: EndpointState, now: Date): void {
  e.status = { code: 'deleted' };
  e.deletionTime = ec2Time(now);
}
