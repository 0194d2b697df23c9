/**
 * Where restores keep the lock of each target graph (WorkflowRuntime.lockRoot): read by the local
 * runtime (a folder or s3://…) and by the deployed restore Lambdas, which the stack points at its
 * state root, so that every runner that shares it sees every restore into a graph.
 */
export const LOCK_ROOT_ENV = 'HGBR_LOCKS';
