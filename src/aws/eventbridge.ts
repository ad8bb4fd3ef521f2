import {
  DescribeRuleCommand,
  EventBridgeClient,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  type Target,
} from '@aws-sdk/client-eventbridge';
import { toAwsCallError } from './errors';

export { EventBridgeClient };

export interface RuleTarget {
  id: string;
  arn: string;
  roleArn?: string;
}

/** A rule with its targets: what a coverage check compares with the rule the member template creates. */
export interface RuleWithTargets {
  name: string;
  arn: string;
  eventBusName: string;
  /** ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS */
  state: string;
  /** the pattern as AWS returns it: JSON text (undefined for schedule rules) */
  eventPattern?: string;
  targets: RuleTarget[];
}

const DEFAULT_BUS = 'default';
/** The largest page ListRules and ListTargetsByRule return. */
const PAGE_SIZE = 100;

function toTarget(t: Target): RuleTarget {
  return { id: t.Id ?? '', arn: t.Arn ?? '', ...(t.RoleArn ? { roleArn: t.RoleArn } : {}) };
}

/** The names of the bus's rules that start with `namePrefix`, every page. */
export async function listRuleNames(events: EventBridgeClient, namePrefix: string, eventBusName = DEFAULT_BUS): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    try {
      const page = await events.send(new ListRulesCommand({ NamePrefix: namePrefix, EventBusName: eventBusName, Limit: PAGE_SIZE, NextToken: nextToken }));
      for (const r of page.Rules ?? []) if (r.Name) names.push(r.Name);
      nextToken = page.NextToken;
    } catch (error) {
      throw toAwsCallError('ListRules', error);
    }
  } while (nextToken);
  return names;
}

async function listTargets(events: EventBridgeClient, rule: string, eventBusName: string): Promise<RuleTarget[]> {
  const targets: RuleTarget[] = [];
  let nextToken: string | undefined;
  do {
    const page = await events.send(new ListTargetsByRuleCommand({ Rule: rule, EventBusName: eventBusName, Limit: PAGE_SIZE, NextToken: nextToken }));
    for (const t of page.Targets ?? []) targets.push(toTarget(t));
    nextToken = page.NextToken;
  } while (nextToken);
  return targets;
}

/**
 * One rule and its targets, or `undefined` when the bus has no such rule (`ResourceNotFoundException`, also when the
 * rule disappears between the two reads). Read-only: `events:DescribeRule` and `events:ListTargetsByRule`.
 */
export async function readRule(events: EventBridgeClient, name: string, eventBusName = DEFAULT_BUS): Promise<RuleWithTargets | undefined> {
  let operation = 'DescribeRule';
  try {
    const rule = await events.send(new DescribeRuleCommand({ Name: name, EventBusName: eventBusName }));
    operation = 'ListTargetsByRule';
    const targets = await listTargets(events, name, eventBusName);
    return {
      name: rule.Name ?? name,
      arn: rule.Arn ?? '',
      eventBusName: rule.EventBusName ?? eventBusName,
      state: rule.State ?? 'UNKNOWN',
      ...(rule.EventPattern ? { eventPattern: rule.EventPattern } : {}),
      targets,
    };
  } catch (error) {
    const converted = toAwsCallError(operation, error);
    if (converted.code === 'ResourceNotFoundException') return undefined;
    throw converted;
  }
}
