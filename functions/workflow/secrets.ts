/**
 * Which secret holds the HugeGraph credentials of which server: the deployment lists each endpoint
 * with its own secret (one per server or per graph, never one for all) in one environment variable
 * of every Lambda that talks to HugeGraph. The credentials go to no server that is not listed.
 */
import type { GraphRef } from './graph-ref';

export const SECRETS_ENV = 'HUGEGRAPH_SECRETS';

/** A server, or one graph of it, and the ARN of the secret `{"username","password"}` for it. */
export interface EndpointSecret {
  readonly url: string;
  /** Only this graph (and graphspace) of the server; absent: every graph of it. */
  readonly graph?: string;
  readonly graphspace?: string;
  readonly secretArn: string;
}

export function normalizeUrl(url: string): string {
  return url.replace(/\/+$/, '').toLowerCase();
}

/** The secret for a graph: one given for that very graph first, else the one of its server. */
export function secretFor(endpoints: readonly EndpointSecret[], server: GraphRef): EndpointSecret | undefined {
  const onServer = endpoints.filter((e) => normalizeUrl(e.url) === normalizeUrl(server.url));
  return onServer.find((e) => e.graph === server.graph && (e.graphspace ?? 'DEFAULT') === (server.graphspace ?? 'DEFAULT')) ?? onServer.find((e) => e.graph === undefined);
}
