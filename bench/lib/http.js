import http from 'node:http';

/** Minimal HTTP GET over a keep-alive agent, timed from request to last byte (no JSON parsing in the timing). */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

export function get(port, path) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = performance.now() - started;
        resolve({ status: res.statusCode, body: Buffer.concat(chunks), ms });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30000, () => req.destroy(new Error(`GET ${path} timed out`)));
  });
}

export async function getJson(port, path) {
  const res = await get(port, path);
  if (res.status !== 200) throw new Error(`GET ${path}: HTTP ${res.status} ${res.body.toString().slice(0, 200)}`);
  return JSON.parse(res.body.toString());
}
