import { DeviceKeysBody, RegisterDeviceResponse, errorResponses } from '@burrow/api';
import { accountOf } from '../auth/index.js';
import type { App, RouteContext } from '../http/types.js';
import type { Devices } from './service.js';

export function devicesRoutes(app: App, { devices }: RouteContext & { devices: Devices }): void {
  app.post(
    '/v1/devices',
    {
      schema: {
        operationId: 'registerDevice',
        tags: ['devices'],
        body: DeviceKeysBody,
        response: { 201: RegisterDeviceResponse, ...errorResponses },
      },
      config: { auth: 'account' },
    },
    async (request, reply) =>
      reply.code(201).send(await devices.registerDevice(accountOf(request).accountId, request.body)),
  );
}
