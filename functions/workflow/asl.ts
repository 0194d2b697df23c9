/** An Amazon States Language document, as Step Functions receives it. */
export type AslDefinition = { StartAt: string; States: Record<string, unknown>; [key: string]: unknown };

/** Both state machines' definitions as CDK synthesizes them: what AWS runs and what `hgbr` runs locally. */
export interface SynthesizedWorkflows {
  readonly backup: AslDefinition;
  readonly restore: AslDefinition;
}
