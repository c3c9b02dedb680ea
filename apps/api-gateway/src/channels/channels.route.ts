import { z } from 'zod';
import { disconnectLegReplySchema, disconnectLegRequestSchema, usageQuerySchema, usageReplySchema } from '@pbx/contracts';
import { apiErrorReplySchema } from '../http/api-error';
import { defineRoute } from '../http/route';

export const channelUsageRoute = defineRoute({
  method: 'GET',
  path: '',
  operationId: 'channelUsage',
  summary: 'Channel usage (チャネル使用状況): per leg who and since when, pool totals and limits',
  description: 'System admins see every leg; supervisors only legs whose local party or far end is one of their numbers (SPEC Q-6, A-1). Users: 403.',
  access: ['system-admin', 'supervisor'],
  input: { query: usageQuerySchema },
  responses: { 200: { description: 'Usage now', schema: usageReplySchema } },
});

export const disconnectLegRoute = defineRoute({
  method: 'DELETE',
  path: ':legId',
  operationId: 'disconnectLeg',
  summary: 'Disconnect a leg from the usage view (system admin only)',
  description: 'Asks the SIP edge to end the leg; its channel comes back with the leg’s release (SPEC Q-6, C-6).',
  access: ['system-admin'],
  input: { params: z.object({ legId: disconnectLegRequestSchema.shape.legId }).strict() },
  responses: {
    202: { description: 'Hang-up requested; `leg` is the leg as the quota saw it', schema: disconnectLegReplySchema },
    404: { description: 'CHANNEL.NOT_FOUND: no leg holds a channel under this id', schema: apiErrorReplySchema },
    503: { description: 'CHANNEL.HANGUP_UNAVAILABLE: the SIP edge did not take the hang-up', schema: apiErrorReplySchema },
  },
});
