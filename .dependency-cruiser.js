/**
 * The layers of hgbr, as import rules (`npm run lint:deps`, run by `npm test`). Each rule says why,
 * as restic's depguard rules do. The rooms, from the bottom:
 *
 *   base      functions/{errors,abort,concurrency,version}.ts    shared by everything
 *   core      functions/{json,format,hugegraph,storage}           the data, the server, the bytes
 *   contract  functions/workflow                                  runtime, messages, locks, task names, error registry
 *   domain    functions/{backup,restore}                          the workflows' steps
 *   services  functions/{api,ops}                                 the restore API, the operations checks
 *   shells    functions/handlers (Lambda), cli (hgbr)             build dependencies, render, call the steps
 *   infra     infra                                               CDK: the state machines and stacks
 */
const CORE = '^functions/(json|format|hugegraph|storage)/';
const DOMAIN = '^functions/(backup|restore)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can be read, tested or changed without the other.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'functions-not-to-infra',
      severity: 'error',
      comment: 'The Lambda code is bundled without CDK; infra describes the functions, never the reverse.',
      from: { path: '^functions/' },
      to: { path: '^infra/' },
    },
    {
      name: 'functions-not-to-cli',
      severity: 'error',
      comment: 'The CLI is one shell over the workflows; the Lambdas must work without it.',
      from: { path: '^functions/' },
      to: { path: '^cli/' },
    },
    {
      name: 'not-to-shells',
      severity: 'error',
      comment: 'Domain, contract and services code runs under both shells, so it may know neither the Lambda entry points nor the CLI.',
      from: { path: '^functions/', pathNot: '^functions/handlers/' },
      to: { path: '^functions/handlers/' },
    },
    {
      name: 'no-aws-lambda-types-below-shells',
      severity: 'error',
      comment: 'Only the Lambda shell knows it runs in Lambda (Powertools, aws-lambda types); the steps see a WorkflowRuntime.',
      from: { path: '^functions/', pathNot: '^functions/handlers/' },
      to: { path: ['node_modules/@types/aws-lambda', 'node_modules/@aws-lambda-powertools/'] },
    },
    {
      name: 'core-not-to-workflows',
      severity: 'error',
      comment: 'Format, client, storage and JSON know nothing of backups, restores or how they run: they are the tools the workflows use.',
      from: { path: CORE },
      to: { path: ['^functions/(workflow|backup|restore|api|ops)/'] },
    },
    {
      name: 'json-is-a-leaf',
      severity: 'error',
      comment: 'Lossless JSON scanning is what the format and the client are built on; it depends on neither, nor on anything above.',
      from: { path: '^functions/json/' },
      to: { path: '^functions/', pathNot: ['^functions/json/', '^functions/errors\\.ts$'] },
    },
    {
      name: 'core-modules-apart',
      severity: 'error',
      comment: 'The HugeGraph client and the storage are independent ports; the format does not talk to either (bytes in, bytes out).',
      from: { path: '^functions/(hugegraph|storage|format)/' },
      to: { path: '^functions/(hugegraph|storage|format)/', pathNot: ['^functions/$1/'] },
    },
    {
      name: 'core-no-aws-sdk-but-storage',
      severity: 'error',
      comment: 'Only the S3 storage talks to AWS; the rest of the core runs anywhere.',
      from: { path: CORE, pathNot: '^functions/storage/' },
      to: { path: 'node_modules/@aws-sdk/' },
    },
    {
      name: 'contract-not-to-domain',
      severity: 'error',
      comment: "The workflow contract is what the domain, the shells and infra agree on; it may name the domain's errors (their classes are the Retry/Catch contract) and nothing else of it.",
      from: { path: '^functions/workflow/' },
      to: { path: [DOMAIN, '^functions/(api|ops)/'], pathNot: '^functions/(backup|restore)/errors\\.ts$' },
    },
    {
      name: 'domains-apart',
      severity: 'error',
      comment: 'Backup and restore share only the contract and the core, so either can change without the other.',
      from: { path: DOMAIN },
      to: { path: DOMAIN, pathNot: '^functions/$1/' },
    },
    {
      name: 'domain-no-aws-sdk',
      severity: 'error',
      comment: 'The steps reach AWS only through the runtime and the storage, so the same steps run on a laptop.',
      from: { path: [DOMAIN, '^functions/workflow/'] },
      to: { path: 'node_modules/@aws-sdk/' },
    },
    {
      name: 'handlers-thin',
      severity: 'error',
      comment: 'A Lambda entry point builds its dependencies and calls a step or a service; it reaches the core only to construct the client and the storage, never their internals.',
      from: { path: '^functions/handlers/' },
      to: {
        path: CORE,
        pathNot: ['^functions/hugegraph/(index|client)\\.ts$', '^functions/storage/(open|storage)\\.ts$'],
      },
    },
    {
      name: 'cli-not-to-infra',
      severity: 'error',
      comment: 'The CLI runs the committed state machine definitions; CDK (aws-cdk-lib, hundreds of MB) is a build tool, not something a user installs to run hgbr.',
      from: { path: '^cli/' },
      to: { path: ['^infra/', 'node_modules/aws-cdk-lib/', 'node_modules/constructs/'] },
    },
    {
      name: 'cli-thin',
      severity: 'error',
      comment: 'The CLI parses, renders and runs the workflows; it reaches the core only to open a storage or connect a client, never their internals.',
      from: { path: '^cli/' },
      to: {
        path: CORE,
        pathNot: ['^functions/hugegraph/(index|client)\\.ts$', '^functions/storage/(open|storage)\\.ts$', '^functions/format/(index|naming)\\.ts$'],
      },
    },
    {
      name: 'infra-only-contract',
      severity: 'error',
      comment:
        "The state machines need names (tasks, errors, metrics, environment variables) and the shape of their input, not the steps: infra imports only the contract, error classes, the request type, the metric names and the API's variable names, so synthesizing pulls in no step code.",
      from: { path: '^infra/' },
      to: {
        path: '^functions/',
        pathNot: [
          '^functions/workflow/',
          '^functions/[a-z]+/errors\\.ts$',
          '^functions/(errors|abort)\\.ts$',
          '^functions/backup/types\\.ts$',
          '^functions/ops/metric-names\\.ts$',
          '^functions/api/config\\.ts$',
        ],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: ['^dist', '^cdk\\.out'] },
    includeOnly: '^(functions|cli|infra|node_modules)/',
  },
};
