// The AWS stand-in, exercised only through the REAL AWS SDK v3 clients (plus a few raw HTTP requests for
// protocol edge cases the SDK never sends).

import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  ListTagsForResourceCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeClientVpnEndpointsCommand,
  DescribeRegionsCommand,
  EC2Client,
  ModifyClientVpnEndpointCommand,
  paginateDescribeClientVpnEndpoints,
  type ClientVpnEndpoint,
} from '@aws-sdk/client-ec2';
import { CreateTopicCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStandin, type Standin } from '../../standin/index';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let standin: Standin;

beforeAll(async () => {
  standin = await startStandin();
});
afterAll(async () => {
  await standin.close();
});
beforeEach(() => {
  standin.reset();
});

function ec2(region = 'us-east-1', endpoint = standin.url): EC2Client {
  return new EC2Client({ region, endpoint, credentials, maxAttempts: 1 });
}
function logs(region = 'us-east-1'): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ region, endpoint: standin.url, credentials, maxAttempts: 1 });
}
function sns(region = 'us-east-1'): SNSClient {
  return new SNSClient({ region, endpoint: standin.url, credentials, maxAttempts: 1 });
}

interface SdkError {
  name: string;
  message: string;
  $fault?: string;
  $metadata: { httpStatusCode?: number; requestId?: string; attempts?: number };
}

function isSdkError(e: unknown): e is SdkError {
  return e instanceof Error && typeof Reflect.get(e, '$metadata') === 'object';
}

async function sdkError(p: Promise<unknown>): Promise<SdkError> {
  try {
    await p;
  } catch (e) {
    if (isSdkError(e)) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

async function describeOne(client: EC2Client, id: string): Promise<ClientVpnEndpoint> {
  const out = await client.send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [id] }));
  const first = out.ClientVpnEndpoints?.[0];
  if (first === undefined || out.ClientVpnEndpoints?.length !== 1) throw new Error(`expected exactly one endpoint for ${id}`);
  return first;
}

const STREAM_RE = (id: string, region: string): RegExp =>
  new RegExp(`^${id}-${region}-\\d{4}/\\d{2}/\\d{2}-[A-Za-z0-9]{12}$`);

// ---------------------------------------------------------------------------------------------------------------

describe('EC2 DescribeClientVpnEndpoints', () => {
  it('round-trips endpoints through the SDK parser (logging off has no group; on has group+stream; tags; status)', async () => {
    const off = standin.addEndpoint('us-east-1', { description: 'off', tags: { Name: 'Client VPN', team: 'net' } });
    const on = standin.addEndpoint('us-east-1', {
      status: 'pending-associate',
      dnsServers: ['8.8.8.8'],
      logging: { enabled: true, logGroup: 'Client-vpn-connection-logs', logStream: 'my-stream' },
    });
    const out = await ec2().send(new DescribeClientVpnEndpointsCommand({}));
    expect(out.NextToken).toBeUndefined();
    expect(out.ClientVpnEndpoints?.map((e) => e.ClientVpnEndpointId)).toEqual([off, on]);

    const [a, b] = out.ClientVpnEndpoints ?? [];
    expect(a?.ConnectionLogOptions).toEqual({ Enabled: false });
    expect(a?.Status).toEqual({ Code: 'available' });
    expect(a?.Description).toBe('off');
    expect(a?.Tags).toEqual([
      { Key: 'Name', Value: 'Client VPN' },
      { Key: 'team', Value: 'net' },
    ]);
    expect(a?.VpnPort).toBe(443);
    expect(a?.SplitTunnel).toBe(false);
    expect(a?.TransportProtocol).toBe('udp');
    expect(a?.SecurityGroupIds?.[0]).toMatch(/^sg-[0-9a-f]{17}$/);
    expect(a?.VpcId).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(a?.AuthenticationOptions?.[0]?.Type).toBe('certificate-authentication');
    expect(a?.ClientConnectOptions).toEqual({ Enabled: false, Status: { Code: 'applied' } });
    expect(a?.DnsServers).toBeUndefined();
    expect(a?.CreationTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);

    expect(b?.ConnectionLogOptions).toEqual({
      Enabled: true,
      CloudwatchLogGroup: 'Client-vpn-connection-logs',
      CloudwatchLogStream: 'my-stream',
    });
    expect(b?.Status?.Code).toBe('pending-associate');
    expect(b?.DnsServers).toEqual(['8.8.8.8']);
    expect(b?.Tags).toBeUndefined();
    expect(b?.DnsName).toBe(`*.${on}.prod.clientvpn.us-east-1.amazonaws.com`);
  });

  it('invents a stream name like Client VPN when an endpoint is seeded without one', () => {
    const id = standin.addEndpoint('ap-south-1', { logging: { enabled: true, logGroup: 'g' } });
    expect(standin.getEndpoint('ap-south-1', id)?.logging.logStream).toMatch(STREAM_RE(id, 'ap-south-1'));
  });

  it('paginates 12 endpoints with MaxResults 5 (5 + 5 + 2) using opaque tokens', async () => {
    const ids = Array.from({ length: 12 }, () => standin.addEndpoint('us-east-2'));
    const client = ec2('us-east-2');
    const p1 = await client.send(new DescribeClientVpnEndpointsCommand({ MaxResults: 5 }));
    expect(p1.ClientVpnEndpoints).toHaveLength(5);
    expect(p1.NextToken).toEqual(expect.any(String));
    const p2 = await client.send(new DescribeClientVpnEndpointsCommand({ MaxResults: 5, NextToken: p1.NextToken }));
    expect(p2.ClientVpnEndpoints).toHaveLength(5);
    const p3 = await client.send(new DescribeClientVpnEndpointsCommand({ MaxResults: 5, NextToken: p2.NextToken }));
    expect(p3.ClientVpnEndpoints).toHaveLength(2);
    expect(p3.NextToken).toBeUndefined();
    const seen = [p1, p2, p3].flatMap((p) => p.ClientVpnEndpoints ?? []).map((e) => e.ClientVpnEndpointId);
    expect(seen).toEqual(ids);

    // the SDK paginator walks the same pages
    const pages: number[] = [];
    for await (const page of paginateDescribeClientVpnEndpoints({ client, pageSize: 5 }, {})) {
      pages.push(page.ClientVpnEndpoints?.length ?? 0);
    }
    expect(pages).toEqual([5, 5, 2]);
    expect(standin.callsTo('DescribeClientVpnEndpoints').at(-1)?.params).toMatchObject({ MaxResults: '5' });

    const bad = await sdkError(client.send(new DescribeClientVpnEndpointsCommand({ MaxResults: 4 })));
    expect(bad.name).toBe('InvalidParameterValue');
    expect(bad.$metadata.httpStatusCode).toBe(400);
    const garbage = await sdkError(client.send(new DescribeClientVpnEndpointsCommand({ NextToken: 'nope' })));
    expect(garbage.name).toBe('InvalidPaginationToken');
  });

  it('filters on endpoint-id and transport-protocol, and rejects other filters', async () => {
    const a = standin.addEndpoint('us-east-1', { transportProtocol: 'tcp' });
    const b = standin.addEndpoint('us-east-1');
    standin.addEndpoint('us-east-1');
    const client = ec2();
    const byId = await client.send(
      new DescribeClientVpnEndpointsCommand({ Filters: [{ Name: 'endpoint-id', Values: [a, b] }] }),
    );
    expect(byId.ClientVpnEndpoints?.map((e) => e.ClientVpnEndpointId)).toEqual([a, b]);
    expect(standin.callsTo('DescribeClientVpnEndpoints')[0]?.params).toEqual({
      'Filter.1.Name': 'endpoint-id',
      'Filter.1.Value.1': a,
      'Filter.1.Value.2': b,
    });
    const tcp = await client.send(
      new DescribeClientVpnEndpointsCommand({ Filters: [{ Name: 'transport-protocol', Values: ['tcp'] }] }),
    );
    expect(tcp.ClientVpnEndpoints?.map((e) => e.ClientVpnEndpointId)).toEqual([a]);
    const unknownId = await client.send(
      new DescribeClientVpnEndpointsCommand({ Filters: [{ Name: 'endpoint-id', Values: ['cvpn-endpoint-00000000000000000'] }] }),
    );
    expect(unknownId.ClientVpnEndpoints).toEqual([]);
    const tagFilter = await sdkError(
      client.send(new DescribeClientVpnEndpointsCommand({ Filters: [{ Name: 'tag:Name', Values: ['x'] }] })),
    );
    expect(tagFilter.name).toBe('InvalidParameterValue');
  });

  it('answers an explicitly requested unknown id with InvalidClientVpnEndpointId.NotFound (400)', async () => {
    const known = standin.addEndpoint('us-east-1');
    const err = await sdkError(
      ec2().send(new DescribeClientVpnEndpointsCommand({ ClientVpnEndpointIds: [known, 'cvpn-endpoint-0123456789abcdef0'] })),
    );
    expect(err.name).toBe('InvalidClientVpnEndpointId.NotFound');
    expect(err.message).toContain('cvpn-endpoint-0123456789abcdef0');
    expect(err.$fault).toBe('client');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(err.$metadata.requestId).toEqual(expect.any(String));
    expect(standin.calls.at(-1)).toMatchObject({ service: 'ec2', status: 400, errorCode: 'InvalidClientVpnEndpointId.NotFound' });
  });

  it('still returns deleted endpoints, with status deleted and a deletion time', async () => {
    const id = standin.addEndpoint('us-east-1');
    standin.deleteEndpoint('us-east-1', id);
    const e = await describeOne(ec2(), id);
    expect(e.Status?.Code).toBe('deleted');
    expect(e.DeletionTime).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    const mod = await sdkError(
      ec2().send(new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: id, ConnectionLogOptions: { Enabled: false } })),
    );
    expect(mod.name).toBe('InvalidClientVpnEndpointId.NotFound');
  });

  it('XML-escapes values (markup characters, quotes, CR/LF survive the round trip)', async () => {
    const description = `a <b> & "c" 'd'\r\nline2 ]]> é`;
    const id = standin.addEndpoint('us-east-1', { description, tags: { 'k&<': 'v>"' } });
    const e = await describeOne(ec2(), id);
    expect(e.Description).toBe(description);
    expect(e.Tags).toEqual([{ Key: 'k&<', Value: 'v>"' }]);
  });
});

describe('EC2 ModifyClientVpnEndpoint', () => {
  it('enables logging to an existing group, inventing the stream, and records exactly what the SDK sent', async () => {
    standin.addLogGroup('us-east-1', '/aws/clientvpn/connections');
    const id = standin.addEndpoint('us-east-1');
    const client = ec2();
    const out = await client.send(
      new ModifyClientVpnEndpointCommand({
        ClientVpnEndpointId: id,
        ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: '/aws/clientvpn/connections' },
      }),
    );
    expect(out.Return).toBe(true);
    const call = standin.callsTo('ModifyClientVpnEndpoint')[0];
    expect(call?.params).toEqual({
      ClientVpnEndpointId: id,
      'ConnectionLogOptions.Enabled': 'true',
      'ConnectionLogOptions.CloudwatchLogGroup': '/aws/clientvpn/connections',
    });
    expect(call?.version).toBe('2016-11-15');

    const e = await describeOne(client, id);
    expect(e.ConnectionLogOptions?.Enabled).toBe(true);
    expect(e.ConnectionLogOptions?.CloudwatchLogGroup).toBe('/aws/clientvpn/connections');
    expect(e.ConnectionLogOptions?.CloudwatchLogStream).toMatch(STREAM_RE(id, 'us-east-1'));
    expect(standin.getLogGroup('us-east-1', '/aws/clientvpn/connections')?.streams).toEqual([
      e.ConnectionLogOptions?.CloudwatchLogStream,
    ]);

    // an explicit stream is kept; disabling drops group and stream
    await client.send(
      new ModifyClientVpnEndpointCommand({
        ClientVpnEndpointId: id,
        ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: '/aws/clientvpn/connections', CloudwatchLogStream: 's1' },
      }),
    );
    expect(standin.getEndpoint('us-east-1', id)?.logging).toEqual({
      enabled: true,
      logGroup: '/aws/clientvpn/connections',
      logStream: 's1',
    });
    await client.send(new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: id, ConnectionLogOptions: { Enabled: false } }));
    expect((await describeOne(client, id)).ConnectionLogOptions).toEqual({ Enabled: false });
  });

  it('refuses to enable logging without a group name or to a group that does not exist', async () => {
    const id = standin.addEndpoint('us-east-1');
    const client = ec2();
    const missing = await sdkError(
      client.send(
        new ModifyClientVpnEndpointCommand({
          ClientVpnEndpointId: id,
          ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: 'no-such-group' },
        }),
      ),
    );
    expect(missing.name).toBe('InvalidParameterValue');
    expect(missing.message).toContain('no-such-group');
    expect(missing.$metadata.httpStatusCode).toBe(400);
    const noName = await sdkError(
      client.send(new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: id, ConnectionLogOptions: { Enabled: true } })),
    );
    expect(noName.name).toBe('InvalidParameterValue');
    expect(standin.getEndpoint('us-east-1', id)?.logging).toEqual({ enabled: false });

    const unknown = await sdkError(
      client.send(
        new ModifyClientVpnEndpointCommand({
          ClientVpnEndpointId: 'cvpn-endpoint-0000000000000000a',
          ConnectionLogOptions: { Enabled: false },
        }),
      ),
    );
    expect(unknown.name).toBe('InvalidClientVpnEndpointId.NotFound');
  });

  it('accepts and applies the other fields, so a test can see that a client sent them', async () => {
    const id = standin.addEndpoint('us-east-1');
    await ec2().send(
      new ModifyClientVpnEndpointCommand({
        ClientVpnEndpointId: id,
        Description: 'changed',
        DnsServers: { Enabled: true, CustomDnsServers: ['10.0.0.2', '10.0.0.3'] },
        SplitTunnel: true,
        VpnPort: 1194,
        SessionTimeoutHours: 12,
        SecurityGroupIds: ['sg-1', 'sg-2'],
        ClientLoginBannerOptions: { Enabled: true, BannerText: 'hi' },
      }),
    );
    const params = standin.callsTo('ModifyClientVpnEndpoint')[0]?.params ?? {};
    expect(params).toMatchObject({
      'DnsServers.Enabled': 'true',
      'DnsServers.CustomDnsServers.1': '10.0.0.2',
      'DnsServers.CustomDnsServers.2': '10.0.0.3',
      'SecurityGroupId.1': 'sg-1',
      VpnPort: '1194',
    });
    expect(Object.keys(params).some((k) => k.startsWith('ConnectionLogOptions'))).toBe(false);
    const e = standin.getEndpoint('us-east-1', id);
    expect(e).toMatchObject({
      description: 'changed',
      dnsServers: ['10.0.0.2', '10.0.0.3'],
      splitTunnel: true,
      vpnPort: 1194,
      sessionTimeoutHours: 12,
      securityGroupIds: ['sg-1', 'sg-2'],
      clientLoginBannerOptions: { enabled: true, bannerText: 'hi' },
      logging: { enabled: false },
    });
    const badPort = await sdkError(ec2().send(new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: id, VpnPort: 22 })));
    expect(badPort.name).toBe('InvalidParameterValue');
    const dry = await sdkError(ec2().send(new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: id, DryRun: true })));
    expect(dry.name).toBe('DryRunOperation');
    expect(dry.$metadata.httpStatusCode).toBe(412);
  });

  it('keeps regions apart: the same id in two regions, log groups per region', async () => {
    const id = 'cvpn-endpoint-0aaaaaaaaaaaaaaaa';
    standin.addEndpoint('us-east-1', { id, description: 'virginia' });
    standin.addEndpoint('eu-west-1', { id, description: 'ireland' });
    standin.addLogGroup('us-east-1', 'vpn-logs');

    const euClient = ec2('eu-west-1');
    const usClient = ec2('us-east-1');
    const inEu = await sdkError(
      euClient.send(
        new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: id, ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: 'vpn-logs' } }),
      ),
    );
    expect(inEu.name).toBe('InvalidParameterValue');
    await usClient.send(
      new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: id, ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: 'vpn-logs' } }),
    );
    expect((await describeOne(usClient, id)).ConnectionLogOptions?.Enabled).toBe(true);
    const eu = await describeOne(euClient, id);
    expect(eu.Description).toBe('ireland');
    expect(eu.ConnectionLogOptions).toEqual({ Enabled: false });
    expect(standin.callsTo('ModifyClientVpnEndpoint').map((c) => c.region)).toEqual(['eu-west-1', 'us-east-1']);
    expect((await ec2('ap-southeast-2').send(new DescribeClientVpnEndpointsCommand({}))).ClientVpnEndpoints).toEqual([]);
  });

  it('serves stale reads: the next N Describes after a Modify still show the old state', async () => {
    standin.addLogGroup('us-east-1', 'g');
    const id = standin.addEndpoint('us-east-1');
    standin.setStaleReads('us-east-1', id, 2);
    const client = ec2();
    // before any Modify there is nothing older to show, and the count is not consumed
    expect((await describeOne(client, id)).ConnectionLogOptions?.Enabled).toBe(false);
    await client.send(
      new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: id, ConnectionLogOptions: { Enabled: true, CloudwatchLogGroup: 'g' } }),
    );
    expect((await describeOne(client, id)).ConnectionLogOptions?.Enabled).toBe(false);
    expect((await describeOne(client, id)).ConnectionLogOptions?.Enabled).toBe(false);
    expect((await describeOne(client, id)).ConnectionLogOptions?.Enabled).toBe(true);
    expect(standin.getEndpoint('us-east-1', id)?.logging.enabled).toBe(true);
  });
});

describe('EC2 DescribeRegions', () => {
  it('lists the opted-in regions, all regions on request, and single names', async () => {
    const client = ec2();
    const def = await client.send(new DescribeRegionsCommand({}));
    expect(def.Regions).toHaveLength(17);
    expect(def.Regions?.find((r) => r.RegionName === 'eu-west-1')).toEqual({
      RegionName: 'eu-west-1',
      Endpoint: 'ec2.eu-west-1.amazonaws.com',
      OptInStatus: 'opt-in-not-required',
    });
    const all = await client.send(new DescribeRegionsCommand({ AllRegions: true }));
    expect(all.Regions?.length).toBeGreaterThan(17);
    expect(all.Regions?.some((r) => r.OptInStatus === 'not-opted-in')).toBe(true);
    const one = await client.send(new DescribeRegionsCommand({ RegionNames: ['us-west-2'] }));
    expect(one.Regions?.map((r) => r.RegionName)).toEqual(['us-west-2']);
  });

  it('uses the configured region list', async () => {
    const s = await startStandin({ regions: ['us-east-1', { name: 'eu-south-1', optInStatus: 'opted-in' }] });
    try {
      const out = await ec2('us-east-1', s.url).send(new DescribeRegionsCommand({}));
      expect(out.Regions?.map((r) => [r.RegionName, r.OptInStatus])).toEqual([
        ['us-east-1', 'opt-in-not-required'],
        ['eu-south-1', 'opted-in'],
      ]);
    } finally {
      await s.close();
    }
  });
});

describe('the AWS API Reference sample response', () => {
  const fixture = readFileSync(
    fileURLToPath(new URL('../fixtures/ec2-describe-client-vpn-endpoints-response-awsdoc.xml', import.meta.url)),
  );
  let docServer: Server;
  let docUrl = '';
  beforeAll(async () => {
    docServer = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' }).end(fixture);
      });
    });
    await new Promise<void>((resolve) => docServer.listen(0, '127.0.0.1', resolve));
    const addr: string | AddressInfo | null = docServer.address();
    if (addr === null || typeof addr === 'string') throw new Error('no address');
    docUrl = `http://127.0.0.1:${addr.port}`;
  });
  afterAll(async () => {
    docServer.closeAllConnections();
    await new Promise<void>((resolve) => {
      docServer.close(() => {
        resolve();
      });
    });
  });

  it('parses to the same SDK output as the stand-in serving the same endpoint', async () => {
    const fromDoc = await ec2('us-east-1', docUrl).send(new DescribeClientVpnEndpointsCommand({}));
    const cert = 'arn:aws:acm:us-east-1:724145273726:certificate/82916b3c-7449-43cf-ab9e-31c18ef401c6';
    standin.addEndpoint('us-east-1', {
      id: 'cvpn-endpoint-0043a94c5c27c7997',
      description: 'ash-test',
      status: 'pending-associate',
      creationTime: '2018-12-11T13:14:10',
      dnsName: 'cvpn-endpoint-0043a94c5c27c7997.prod.clientvpn.us-east-1.amazonaws.com',
      clientCidrBlock: '10.0.0.0/24',
      serverCertificateArn: cert,
      authenticationOptions: [{ type: 'certificate-authentication', mutualAuthentication: { clientRootCertificateChain: cert } }],
      splitTunnel: false,
      transportProtocol: 'tcp',
      vpnProtocol: 'openvpn',
      logging: { enabled: false },
      // fields the 2018 sample predates: absent from its XML
      vpnPort: null,
      securityGroupIds: [],
      vpcId: null,
      clientConnectOptions: null,
      sessionTimeoutHours: null,
      clientLoginBannerOptions: null,
      clientRouteEnforcementOptions: null,
      disconnectOnSessionTimeout: null,
      endpointIpAddressType: null,
      trafficIpAddressType: null,
    });
    const fromStandin = await ec2().send(new DescribeClientVpnEndpointsCommand({}));

    const docEndpoint = fromDoc.ClientVpnEndpoints?.[0];
    const ourEndpoint = fromStandin.ClientVpnEndpoints?.[0];
    expect(docEndpoint?.ConnectionLogOptions).toEqual({ Enabled: false });
    expect(docEndpoint?.Status).toEqual({ Code: 'pending-associate' });
    expect(fromDoc.ClientVpnEndpoints).toHaveLength(1);
    expect(fromStandin.ClientVpnEndpoints).toHaveLength(1);
    const docKeys = Object.keys(docEndpoint ?? {}).sort();
    expect(Object.keys(ourEndpoint ?? {}).sort()).toEqual(docKeys);
    for (const key of docKeys) {
      expect({ key, value: Reflect.get(ourEndpoint ?? {}, key) }).toEqual({ key, value: Reflect.get(docEndpoint ?? {}, key) });
    }
    expect(fromStandin.NextToken).toEqual(fromDoc.NextToken);
  });
});

describe('CloudWatch Logs', () => {
  it('creates, describes, refuses duplicates and bad names, records KMS key and tags', async () => {
    const client = logs('eu-central-1');
    const kms = 'arn:aws:kms:eu-central-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    await client.send(new CreateLogGroupCommand({ logGroupName: '/aws/clientvpn/a', kmsKeyId: kms, tags: { owner: 'sec' } }));
    const call = standin.callsTo('CreateLogGroup')[0];
    expect(call).toMatchObject({ service: 'logs', region: 'eu-central-1', status: 200 });
    expect(call?.params).toEqual({ logGroupName: '/aws/clientvpn/a', kmsKeyId: kms, tags: { owner: 'sec' } });

    const out = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/clientvpn/' }));
    expect(out.$metadata.requestId).toEqual(expect.any(String));
    expect(out.logGroups).toHaveLength(1);
    const g = out.logGroups?.[0];
    expect(g?.logGroupName).toBe('/aws/clientvpn/a');
    expect(g?.arn).toBe('arn:aws:logs:eu-central-1:123456789012:log-group:/aws/clientvpn/a:*');
    expect(g?.logGroupArn).toBe('arn:aws:logs:eu-central-1:123456789012:log-group:/aws/clientvpn/a');
    expect(g?.kmsKeyId).toBe(kms);
    expect(g?.storedBytes).toBe(0);
    expect(g?.retentionInDays).toBeUndefined();
    expect(g?.creationTime).toBeGreaterThan(Date.now() - 60_000);
    expect(standin.getLogGroup('eu-central-1', '/aws/clientvpn/a')).toMatchObject({ kmsKeyId: kms, tags: { owner: 'sec' } });

    const dup = await sdkError(client.send(new CreateLogGroupCommand({ logGroupName: '/aws/clientvpn/a' })));
    expect(dup.name).toBe('ResourceAlreadyExistsException');
    expect(dup.$metadata.httpStatusCode).toBe(400);
    const badName = await sdkError(client.send(new CreateLogGroupCommand({ logGroupName: 'has space' })));
    expect(badName.name).toBe('InvalidParameterException');
    const tooLong = await sdkError(client.send(new CreateLogGroupCommand({ logGroupName: 'x'.repeat(513) })));
    expect(tooLong.name).toBe('InvalidParameterException');
    const badKms = await sdkError(client.send(new CreateLogGroupCommand({ logGroupName: 'k', kmsKeyId: 'alias/foo' })));
    expect(badKms.name).toBe('InvalidParameterException');

    await client.send(new TagResourceCommand({ resourceArn: g?.logGroupArn, tags: { env: 'dev' } }));
    const tags = await client.send(new ListTagsForResourceCommand({ resourceArn: g?.logGroupArn }));
    expect(tags.tags).toEqual({ owner: 'sec', env: 'dev' });

    // region isolation for log groups
    expect((await logs('us-east-1').send(new DescribeLogGroupsCommand({}))).logGroups).toEqual([]);
  });

  it('validates retention values and the group', async () => {
    const client = logs();
    standin.addLogGroup('us-east-1', 'vpn');
    await client.send(new PutRetentionPolicyCommand({ logGroupName: 'vpn', retentionInDays: 365 }));
    expect(standin.getLogGroup('us-east-1', 'vpn')?.retentionInDays).toBe(365);
    const bad = await sdkError(client.send(new PutRetentionPolicyCommand({ logGroupName: 'vpn', retentionInDays: 2 })));
    expect(bad.name).toBe('InvalidParameterException');
    const missing = await sdkError(client.send(new PutRetentionPolicyCommand({ logGroupName: 'nope', retentionInDays: 7 })));
    expect(missing.name).toBe('ResourceNotFoundException');
    const described = await client.send(new DescribeLogGroupsCommand({ logGroupNamePattern: 'vp' }));
    expect(described.logGroups?.[0]?.retentionInDays).toBe(365);
    await client.send(new DeleteLogGroupCommand({ logGroupName: 'vpn' }));
    expect(standin.listLogGroups('us-east-1')).toEqual([]);
  });

  it('paginates DescribeLogGroups in name order', async () => {
    for (const n of ['c', 'a', 'e', 'b', 'd']) standin.addLogGroup('us-east-1', n);
    const client = logs();
    const p1 = await client.send(new DescribeLogGroupsCommand({ limit: 2 }));
    const p2 = await client.send(new DescribeLogGroupsCommand({ limit: 2, nextToken: p1.nextToken }));
    const p3 = await client.send(new DescribeLogGroupsCommand({ limit: 2, nextToken: p2.nextToken }));
    expect([p1, p2, p3].flatMap((p) => p.logGroups ?? []).map((g) => g.logGroupName)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(p3.nextToken).toBeUndefined();
  });
});

describe('SNS', () => {
  it('publishes a json-structured message with attributes and stores it parsed', async () => {
    const client = sns('eu-west-1');
    const created = await client.send(new CreateTopicCommand({ Name: 'cvpn-alerts' }));
    expect(created.TopicArn).toBe('arn:aws:sns:eu-west-1:123456789012:cvpn-alerts');
    const chat = { version: '1.0', source: 'custom', content: { title: 'T', description: 'D' } };
    const out = await client.send(
      new PublishCommand({
        TopicArn: created.TopicArn,
        Subject: 'Client VPN logging re-enabled',
        MessageStructure: 'json',
        Message: JSON.stringify({ default: 'plain text', email: 'email text', https: JSON.stringify(chat) }),
        MessageAttributes: {
          eventType: { DataType: 'String', StringValue: 'logging-restored' },
          count: { DataType: 'Number', StringValue: '3' },
          blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
        },
      }),
    );
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    const [m] = standin.published(created.TopicArn);
    expect(m).toMatchObject({
      messageId: out.MessageId,
      region: 'eu-west-1',
      subject: 'Client VPN logging re-enabled',
      messageStructure: 'json',
      attributes: {
        eventType: { dataType: 'String', stringValue: 'logging-restored' },
        count: { dataType: 'Number', stringValue: '3' },
        blob: { dataType: 'Binary', binaryValue: 'AQID' },
      },
    });
    expect(m?.bodies?.default).toBe('plain text');
    expect(m?.bodies?.email).toBe('email text');
    expect(JSON.parse(m?.bodies?.https ?? 'null')).toEqual(chat);
    expect(standin.published()).toHaveLength(1);
  });

  it('rejects what SNS rejects: bad subjects, json without default, unknown topics', async () => {
    const arn = standin.createTopic('us-east-1', 'alerts');
    const client = sns();
    const newline = await sdkError(client.send(new PublishCommand({ TopicArn: arn, Subject: 'line1\nline2', Message: 'x' })));
    expect(newline.name).toBe('InvalidParameterException');
    expect(newline.$metadata.httpStatusCode).toBe(400);
    expect(standin.calls.at(-1)?.errorCode).toBe('InvalidParameter');
    const long = await sdkError(client.send(new PublishCommand({ TopicArn: arn, Subject: 's'.repeat(100), Message: 'x' })));
    expect(long.name).toBe('InvalidParameterException');
    const noDefault = await sdkError(
      client.send(new PublishCommand({ TopicArn: arn, MessageStructure: 'json', Message: JSON.stringify({ email: 'x' }) })),
    );
    expect(noDefault.name).toBe('InvalidParameterException');
    expect(noDefault.message).toContain('No default entry in JSON message body');
    const tooBig = await sdkError(client.send(new PublishCommand({ TopicArn: arn, Message: 'x'.repeat(256 * 1024 + 1) })));
    expect(tooBig.name).toBe('InvalidParameterException');
    const missing = await sdkError(
      client.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:nope', Message: 'x' })),
    );
    expect(missing.name).toBe('NotFoundException');
    expect(missing.$metadata.httpStatusCode).toBe(404);
    // a topic exists only in its own region
    const elsewhere = await sdkError(sns('us-west-2').send(new PublishCommand({ TopicArn: arn, Message: 'x' })));
    expect(elsewhere.name).toBe('InvalidParameterException');
    expect(standin.published()).toEqual([]);
  });
});

describe('STS', () => {
  it('returns the configured caller identity', async () => {
    const out = await new STSClient({ region: 'us-east-1', endpoint: standin.url, credentials }).send(
      new GetCallerIdentityCommand({}),
    );
    expect(out.Account).toBe('123456789012');
    expect(out.Arn).toBe(
      'arn:aws:sts::123456789012:assumed-role/cvpn-log-guard-dev-us-east-1-lambdaRole/cvpn-log-guard-dev-remediate',
    );
    expect(out.UserId).toMatch(/^AROA[A-Z0-9]{17}:cvpn-log-guard-dev-remediate$/);
  });

  it('follows a configured account', async () => {
    const s = await startStandin({ accountId: '210987654321' });
    try {
      const out = await new STSClient({ region: 'eu-west-1', endpoint: s.url, credentials }).send(new GetCallerIdentityCommand({}));
      expect(out.Account).toBe('210987654321');
      expect(out.Arn).toContain(':210987654321:assumed-role/');
    } finally {
      await s.close();
    }
  });
});

describe('fault injection', () => {
  it('answers RequestLimitExceeded 503 in the EC2 envelope; the SDK retries it', async () => {
    const id = standin.addEndpoint('us-east-1');
    standin.injectFault({ action: 'ModifyClientVpnEndpoint', code: 'RequestLimitExceeded', status: 503 });
    const err = await sdkError(
      ec2().send(new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: id, ConnectionLogOptions: { Enabled: false } })),
    );
    expect(err.name).toBe('RequestLimitExceeded');
    expect(err.$metadata.httpStatusCode).toBe(503);

    standin.injectFault({ action: 'ModifyClientVpnEndpoint', code: 'RequestLimitExceeded', status: 503, times: 1 });
    const retrying = new EC2Client({
      region: 'us-east-1',
      endpoint: standin.url,
      credentials,
      retryStrategy: new ConfiguredRetryStrategy(3, 5),
    });
    const out = await retrying.send(
      new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: id, ConnectionLogOptions: { Enabled: false } }),
    );
    expect(out.Return).toBe(true);
    expect(out.$metadata.attempts).toBe(2);
    expect(standin.callsTo('ModifyClientVpnEndpoint').map((c) => [c.status, c.errorCode])).toEqual([
      [503, 'RequestLimitExceeded'],
      [503, 'RequestLimitExceeded'],
      [200, undefined],
    ]);
  });

  it('matches on service and region, and can fail every call', async () => {
    const id = standin.addEndpoint('us-east-1');
    standin.injectFault({ action: 'ModifyClientVpnEndpoint', region: 'eu-west-1', code: 'UnauthorizedOperation', status: 403 });
    standin.injectFault({ service: 'logs', action: 'CreateLogGroup', code: 'AccessDeniedException', status: 400, times: Infinity });
    await ec2().send(new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: id, ConnectionLogOptions: { Enabled: false } }));
    const denied = await sdkError(
      ec2('eu-west-1').send(new ModifyClientVpnEndpointCommand({ ClientVpnEndpointId: id, ConnectionLogOptions: { Enabled: false } })),
    );
    expect(denied.name).toBe('UnauthorizedOperation');
    expect(denied.$metadata.httpStatusCode).toBe(403);
    for (let i = 0; i < 3; i++) {
      const e = await sdkError(logs().send(new CreateLogGroupCommand({ logGroupName: `g${i}` })));
      expect(e.name).toBe('AccessDeniedException');
      expect(e.message).toContain('AccessDeniedException');
    }
    expect(standin.listLogGroups('us-east-1')).toEqual([]);
    standin.clearFaults();
    await logs().send(new CreateLogGroupCommand({ logGroupName: 'ok' }));
  });

  it('uses the SNS and STS envelopes too', async () => {
    const arn = standin.createTopic('us-east-1', 't');
    // SNS/STS: modeled wire codes come back under the SDK's exception name; the wire code stays in .Error.Code
    standin.injectFault({ action: 'Publish', code: 'Throttled', status: 429, message: 'Rate exceeded' });
    const e = await sdkError(sns().send(new PublishCommand({ TopicArn: arn, Message: 'x' })));
    expect(e.name).toBe('ThrottledException');
    expect(e.message).toBe('Rate exceeded');
    expect(e.$metadata.httpStatusCode).toBe(429);
    expect(Reflect.get(e, 'Error')).toMatchObject({ Code: 'Throttled', Type: 'Sender' });
    standin.injectFault({ action: 'Publish', code: 'SomethingUnmodeled', status: 400 });
    const odd = await sdkError(sns().send(new PublishCommand({ TopicArn: arn, Message: 'x' })));
    expect(odd.name).toBe('SomethingUnmodeled');
    standin.injectFault({ service: 'sts', action: 'GetCallerIdentity', code: 'ExpiredTokenException', status: 400 });
    const s = await sdkError(
      new STSClient({ region: 'us-east-1', endpoint: standin.url, credentials, maxAttempts: 1 }).send(new GetCallerIdentityCommand({})),
    );
    expect(s.name).toBe('ExpiredTokenException');
  });
});

describe('protocol edges (raw HTTP)', () => {
  const signed = (service: string, region = 'us-east-1'): Record<string, string> => ({
    authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=00`,
  });

  it('rejects a request without Authorization with 403', async () => {
    const res = await fetch(standin.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=DescribeRegions&Version=2016-11-15',
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('<Code>MissingAuthenticationToken</Code>');
    const json = await fetch(standin.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.DescribeLogGroups' },
      body: '{}',
    });
    expect(json.status).toBe(403);
    expect(await json.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
  });

  it('answers unknown actions and targets with the protocol error, never a crash', async () => {
    const ec2Res = await fetch(standin.url, {
      method: 'POST',
      headers: { ...signed('ec2'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=RunInstances&Version=2016-11-15',
    });
    expect(ec2Res.status).toBe(400);
    const ec2Body = await ec2Res.text();
    expect(ec2Body).toMatch(/<Response><Errors><Error><Code>InvalidAction<\/Code><Message>.*<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]+<\/RequestID><\/Response>$/);
    expect(ec2Res.headers.get('x-amzn-requestid')).toEqual(expect.any(String));

    const snsRes = await fetch(standin.url, {
      method: 'POST',
      headers: { ...signed('sns'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=Subscribe&Version=2010-03-31',
    });
    expect(snsRes.status).toBe(400);
    expect(await snsRes.text()).toContain('<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>InvalidAction</Code>');

    const logsRes = await fetch(standin.url, {
      method: 'POST',
      headers: { ...signed('logs'), 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.PutLogEvents' },
      body: '{}',
    });
    expect(logsRes.status).toBe(400);
    expect(logsRes.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await logsRes.json()).toMatchObject({ __type: 'UnknownOperationException' });

    const otherTarget = await fetch(standin.url, {
      method: 'POST',
      headers: { ...signed('dynamodb'), 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.ListTables' },
      body: 'not json',
    });
    expect(otherTarget.status).toBe(400);

    const otherService = await fetch(standin.url, {
      method: 'POST',
      headers: { ...signed('sqs'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=ListQueues',
    });
    expect(otherService.status).toBe(400);
    expect(await otherService.text()).toContain('<Code>InvalidAction</Code>');
    expect(standin.calls.map((c) => c.service)).toEqual(['ec2', 'sns', 'logs', 'unknown', 'unknown']);
  });
});
