/**
 * The flat member template (deploy/member-template.json), resolved as CloudFormation would for
 * one stack instance (an account and a region with given parameters): which resources it
 * creates, with their intrinsic functions evaluated. Shared by the member-template and the
 * central-mode packaging tests.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const MEMBER_TEMPLATE_FILE = path.join(import.meta.dirname, '..', '..', 'deploy', 'member-template.json');

export interface MemberTemplate {
  Parameters: Record<string, { Type: string; Default?: string; AllowedPattern?: string }>;
  Conditions: Record<string, unknown>;
  Resources: Record<string, { Type: string; Condition?: string; Properties: Record<string, any> }>;
}

export const memberTemplate = (): MemberTemplate => JSON.parse(readFileSync(MEMBER_TEMPLATE_FILE, 'utf8')) as MemberTemplate;

export interface Instance {
  account: string;
  region: string;
  parameters: Record<string, string | string[]>;
}

export interface CreatedResource {
  id: string;
  type: string;
  properties: Record<string, any>;
}

/** Resolves the intrinsic functions the member template uses, for one stack instance. */
export function resolve(template: MemberTemplate, value: unknown, at: Instance): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(template, v, at));
  if (typeof value !== 'object' || value === null) return value;
  const [key, arg] = Object.entries(value)[0] ?? [];
  const ref = (name: string): string | string[] => {
    const pseudo: Record<string, string> = { 'AWS::Region': at.region, 'AWS::AccountId': at.account, 'AWS::Partition': 'aws' };
    const v = pseudo[name] ?? at.parameters[name];
    if (v === undefined) throw new Error(`unresolved Ref ${name}`);
    return v;
  };
  switch (key) {
    case 'Ref':
      return ref(String(arg));
    case 'Fn::Sub':
      return String(arg).replace(/\$\{([^}]+)\}/g, (_, name: string) => String(ref(name)));
    case 'Fn::Join': {
      const [sep, parts] = arg as [string, unknown];
      return (resolve(template, parts, at) as unknown[]).flat().join(sep);
    }
    case 'Fn::Split': {
      const [sep, source] = arg as [string, unknown];
      return String(resolve(template, source, at)).split(sep);
    }
    case 'Fn::Equals': {
      const [a, b] = resolve(template, arg, at) as [unknown, unknown];
      return a === b;
    }
    case 'Fn::Not':
      return !(resolve(template, (arg as unknown[])[0], at) as boolean);
    case 'Fn::If': {
      const [name, yes, no] = arg as [string, unknown, unknown];
      return resolve(template, condition(template, name, at) ? yes : no, at);
    }
    case 'Fn::GetAtt':
      return `getatt:${(arg as string[]).join('.')}`;
    default:
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(template, v, at)]));
  }
}

export const condition = (template: MemberTemplate, name: string, at: Instance): boolean =>
  resolve(template, template.Conditions[name], at) as boolean;

/** The resources one stack instance creates, resolved. */
export function created(template: MemberTemplate, at: Instance): CreatedResource[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Condition === undefined || condition(template, r.Condition, at))
    .map(([id, r]) => ({ id, type: r.Type, properties: resolve(template, r.Properties, at) as Record<string, any> }));
}

/**
 * A stack instance's parameters as CloudFormation gives them to the template: the values passed,
 * the defaults for the rest, CommaDelimitedList values split. Throws on a parameter the template
 * does not declare, or a required one left out, as CloudFormation would refuse the instance.
 */
export function instanceParameters(template: MemberTemplate, passed: Record<string, string>): Record<string, string | string[]> {
  for (const name of Object.keys(passed)) {
    if (!(name in template.Parameters)) throw new Error(`parameter ${name} is not declared by the member template`);
  }
  const out: Record<string, string | string[]> = {};
  for (const [name, p] of Object.entries(template.Parameters)) {
    const value = passed[name] ?? p.Default;
    if (value === undefined) throw new Error(`parameter ${name} has no value and no default`);
    if (p.AllowedPattern !== undefined && p.Type === 'String' && !new RegExp(p.AllowedPattern).test(value)) {
      throw new Error(`parameter ${name}="${value}" fails its AllowedPattern ${p.AllowedPattern}`);
    }
    out[name] = p.Type === 'CommaDelimitedList' ? value.split(',') : value;
  }
  return out;
}
