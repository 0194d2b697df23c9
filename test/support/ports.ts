import net from 'node:net';

/** A TCP port that is free on `host` right now (the kernel picks it: listen on port 0, then close). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a listening socket'));
        return;
      }
      server.close((err) => (err ? reject(err) : resolve(address.port)));
    });
  });
}

/** Two distinct free ports. */
export async function twoFreePorts(host = '127.0.0.1'): Promise<[number, number]> {
  const first = await freePort(host);
  let second = await freePort(host);
  while (second === first) second = await freePort(host);
  return [first, second];
}

/** True when something accepts TCP connections on host:port. */
export function isPortListening(port: number, host = '127.0.0.1', timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (result: boolean): void => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** True when this process could bind host:port (nobody listens on it, not even on a v4-mapped IPv6 socket). */
export function canBind(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Wait until nothing listens on host:port any more. */
export async function waitForPortFree(port: number, timeoutMs = 30000, host = '127.0.0.1'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (await isPortListening(port, host)) {
    if (Date.now() > deadline) throw new Error(`port ${host}:${port} still in use after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
