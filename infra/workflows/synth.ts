import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { HgbrStack } from '../stacks/hgbr-stack';

import type { AslDefinition, SynthesizedWorkflows } from '../../functions/workflow/asl';

export type { AslDefinition, SynthesizedWorkflows };

/** Feature flags the app needs; cdk.json sets the same for `cdk synth`. */
export const APP_CONTEXT = { '@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2': true };

/**
 * Synthesizes the deployable stack (without bundling the Lambdas) and returns each state machine's
 * definition exactly as CloudFormation would receive it, with the Lambda ARNs that are only known
 * at deploy time replaced by placeholders named after their logical ids.
 */
export function synthesizeWorkflows(): SynthesizedWorkflows {
  const app = new App({ context: { ...APP_CONTEXT, 'aws:cdk:bundling-stacks': [] } });
  const stack = new HgbrStack(app, 'HgbrLocal');
  const template = app.synth().getStackByName(stack.stackName).template as CfnTemplate;
  return {
    backup: definitionOf(stack, template, stack.backup.stateMachine),
    restore: definitionOf(stack, template, stack.restore.stateMachine),
  };
}

export function definitionOf(stack: Stack, template: CfnTemplate, stateMachine: sfn.StateMachine): AslDefinition {
  const logicalId = stack.getLogicalId(stateMachine.node.defaultChild as CfnElement);
  const entry = template.Resources[logicalId];
  if (!entry) throw new Error(`state machine ${logicalId} not found in ${stack.stackName}`);
  return JSON.parse(resolveTokens(entry.Properties.DefinitionString)) as AslDefinition;
}

export type CfnTemplate = { Resources: Record<string, { Type: string; Properties: any }> };

/** Turns the Fn::Join / Fn::GetAtt / Ref tokens of a DefinitionString into plain text. */
export function resolveTokens(value: unknown): string {
  if (typeof value === 'string') return value;
  const token = value as Record<string, any>;
  if (token['Fn::Join']) {
    const [separator, parts] = token['Fn::Join'] as [string, unknown[]];
    return parts.map(resolveTokens).join(separator);
  }
  if (token['Fn::GetAtt']) return `arn:aws:lambda:us-east-1:123456789012:function:${token['Fn::GetAtt'][0]}`;
  if (token.Ref === 'AWS::Partition') return 'aws';
  if (token.Ref === 'AWS::Region') return 'us-east-1';
  if (token.Ref === 'AWS::AccountId') return '123456789012';
  if (token.Ref === 'AWS::URLSuffix') return 'amazonaws.com';
  if (token.Ref) return `arn:aws:placeholder:::${token.Ref}`;
  throw new Error(`unexpected token in a state machine definition: ${JSON.stringify(value)}`);
}
