import { z } from 'zod';

export const healthReportSchema = z.object({
  service: z.string(),
  status: z.enum(['ok', 'degraded', 'down']),
  instance: z.string(),
  uptimeSeconds: z.number(),
  checks: z.record(z.object({ status: z.enum(['ok', 'down']), detail: z.string().optional() })),
});
export type HealthReport = z.infer<typeof healthReportSchema>;
