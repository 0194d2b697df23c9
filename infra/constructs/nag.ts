/**
 * Acknowledging cdk-nag findings, always with a reason. cdk-nag v3 reads acknowledgements from
 * construct metadata (`Validations.of(x).acknowledge`), one per finding: for IAM5 the finding names
 * the very action or resource, e.g. `AwsSolutions-IAM5[Resource::<Bucket.Arn>/backups/*]`.
 *
 * These helpers keep that exact: `acknowledgeWildcards` acknowledges an IAM5 finding only when the
 * wildcard is one that was declared allowed (by the same token the policy uses, or by a pattern for
 * ARNs CDK builds itself), so a new, unexpected wildcard still fails the cdk-nag test.
 */
import { Aspects, type CfnResource, type IAspect, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/** Acknowledges a finding of cdk-nag's AwsSolutions pack. */
export function acknowledge(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${rule}`, reason });
}

/** Acknowledges a finding of cdk-nag's Serverless pack. */
export function acknowledgeServerless(scope: IConstruct, rule: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `Serverless-${rule}`, reason });
}

export interface WildcardAllowance {
  /** A resource ARN as given to the policy (tokens allowed), a literal action such as `s3:GetObject*`, or a pattern. */
  readonly resource?: string;
  readonly action?: string;
  readonly pattern?: RegExp;
  /** Only when every statement with this wildcard allows these actions and no other. @default any actions */
  readonly onlyActions?: readonly string[];
  readonly reason: string;
}

/** Acknowledges the IAM5 findings of every IAM policy below `scope` that match an allowance. */
export function acknowledgeWildcards(scope: IConstruct, allowances: WildcardAllowance[]): void {
  Aspects.of(scope).add(new WildcardAcknowledger(allowances));
}

class WildcardAcknowledger implements IAspect {
  constructor(private readonly allowances: WildcardAllowance[]) {}

  visit(node: IConstruct): void {
    if (!(node instanceof iam.CfnPolicy || node instanceof iam.CfnRole || node instanceof iam.CfnManagedPolicy)) return;
    const stack = Stack.of(node);
    const documents: unknown[] =
      node instanceof iam.CfnRole
        ? ((stack.resolve(node.policies) as { policyDocument: unknown }[] | undefined) ?? []).map((p) => stack.resolve(p.policyDocument))
        : [stack.resolve(node.policyDocument)];
    const allowed = this.allowances.map((a) => ({
      ...a,
      finding: a.resource !== undefined ? `Resource::${flatten(stack.resolve(a.resource))}` : a.action !== undefined ? `Action::${a.action}` : undefined,
    }));
    for (const document of documents) {
      for (const finding of wildcardFindings(document)) {
        const actions = actionsOfFinding(document, finding);
        const match = allowed.find((a) => (a.finding === finding || a.pattern?.test(finding)) && (a.onlyActions === undefined || actions.every((x) => a.onlyActions?.includes(x))));
        if (match) Validations.of(node as CfnResource).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason: match.reason });
      }
    }
  }
}

/** The IAM5 findings of one policy document, worded as cdk-nag words them. */
export function wildcardFindings(document: unknown): string[] {
  const statements = ((document as { Statement?: unknown[] })?.Statement ?? []) as { Effect: string; Action: unknown; Resource: unknown }[];
  const findings = new Set<string>();
  for (const statement of statements) {
    if (statement.Effect !== 'Allow') continue;
    for (const action of asArray(statement.Action)) if (typeof action === 'string' && action.includes('*')) findings.add(`Action::${action}`);
    for (const resource of asArray(statement.Resource)) {
      const flat = flatten(resource);
      if (flat.includes('*')) findings.add(`Resource::${flat}`);
    }
  }
  return [...findings];
}

/** Every action allowed by the statements a finding comes from. */
function actionsOfFinding(document: unknown, finding: string): string[] {
  const statements = ((document as { Statement?: unknown[] })?.Statement ?? []) as { Effect: string; Action: unknown; Resource: unknown }[];
  return statements
    .filter((s) => s.Effect === 'Allow' && (asArray(s.Action).some((a) => `Action::${String(a)}` === finding) || asArray(s.Resource).some((r) => `Resource::${flatten(r)}` === finding)))
    .flatMap((s) => asArray(s.Action).map(String));
}

/** CloudFormation intrinsics as one string, the way cdk-nag's flattenCfnReference writes them. */
export function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const value = node as Record<string, any>;
  if (value['Fn::Join']) return (value['Fn::Join'][1] as unknown[]).map(flatten).join(value['Fn::Join'][0]);
  if (value['Fn::Sub'] !== undefined) return flatten(value['Fn::Sub']);
  if (value['Fn::GetAtt']) return `<${flatten(value['Fn::GetAtt'][0])}.${flatten(value['Fn::GetAtt'][1])}>`;
  if (value['Fn::ImportValue'] !== undefined) return flatten(value['Fn::ImportValue']);
  if (value.Ref !== undefined) return `<${flatten(value.Ref)}>`;
  return JSON.stringify(node);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}
