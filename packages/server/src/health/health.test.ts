import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpClient } from '../testing/http.js';
import { startTestServer } from '../testing/start-test-server.js';

test('/healthz and /readyz answer 200 while the database answers; /readyz is a 500 once it does not', async () => {
  const server = await startTestServer();
  const call = httpClient(server.url);
  try {
    assert.equal((await call('GET', '/healthz')).status, 200);
    assert.equal((await call('GET', '/readyz')).status, 200);
    await server.db.destroy();
    const res = await call('GET', '/readyz');
    assert.equal(res.status, 500);
    assert.deepEqual(res.json, { error: { code: 'internal', message: 'Internal error' } });
  } finally {
    await server.close();
  }
});
