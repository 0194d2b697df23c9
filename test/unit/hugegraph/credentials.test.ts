import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HugeGraphHttp, HugeGraphUnauthorizedError } from '../../../functions/hugegraph';

/** A server that takes only `admin:<password>` Basic auth, the password changeable mid-test. */
async function authServer(password: { current: string }) {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const auth = String(req.headers.authorization ?? '');
    seen.push(Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString());
    const ok = auth === `Basic ${Buffer.from(`admin:${password.current}`).toString('base64')}`;
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    res.end(ok ? '{"ok":true}' : '{"exception":"class javax.ws.rs.NotAuthorizedException","message":"Authentication failed"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A client that starts with `admin:<first>` and answers refreshes with `refresh()`, counting them. */
function rotatingClient(url: string, first: string, refresh: () => Promise<string>) {
  const counter = { refreshed: 0 };
  const client = new HugeGraphHttp({
    url,
    username: 'admin',
    password: first,
    refreshCredentials: async () => {
      counter.refreshed++;
      return { username: 'admin', password: await refresh() };
    },
  });
  return { client, counter };
}

describe('credentials rotated while a client lives on', () => {
  it('after a 401, asks for the current credentials once and sends the request again with them', async () => {
    const password = { current: 'rotated' };
    const server = await authServer(password);
    const { client, counter } = rotatingClient(server.url, 'before', async () => password.current);
    try {
      expect((await client.request({ method: 'GET', path: '/x', idempotent: true })).status).toBe(200);
      expect((await client.request({ method: 'GET', path: '/y', idempotent: true })).status).toBe(200);
      expect(counter.refreshed).toBe(1);
      expect(server.seen).toEqual(['admin:before', 'admin:rotated', 'admin:rotated']);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('gives up with the 401 when the refreshed credentials are the ones refused, without asking again and again', async () => {
    const server = await authServer({ current: 'right' });
    const { client, counter } = rotatingClient(server.url, 'wrong', async () => 'wrong');
    try {
      await expect(client.request({ method: 'GET', path: '/x', idempotent: true })).rejects.toBeInstanceOf(HugeGraphUnauthorizedError);
      expect(counter.refreshed).toBe(1);
      expect(server.seen).toEqual(['admin:wrong']);
    } finally {
      await client.close();
      await server.close();
    }
  });
});

it('refreshes once for requests in flight together, each then sent again with the new credentials', async () => {
  const password = { current: 'rotated' };
  const server = await authServer(password);
  const { client, counter } = rotatingClient(server.url, 'before', async () => {
    await new Promise((r) => setTimeout(r, 20));
    return password.current;
  });
  try {
    const answers = await Promise.all([1, 2, 3, 4].map((n) => client.request({ method: 'GET', path: `/${n}`, idempotent: true })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(counter.refreshed).toBe(1);
    expect(server.seen.filter((s) => s === 'admin:rotated')).toHaveLength(4);
  } finally {
    await client.close();
    await server.close();
  }
});
