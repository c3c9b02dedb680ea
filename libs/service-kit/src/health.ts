import { HealthReport } from '@pbx/contracts';

export type HealthCheck = () => Promise<void> | void;

/** Services register checks (NATS connected, database reachable, …); /health runs them all. */
export class HealthService {
  private readonly checks = new Map<string, HealthCheck>();
  private readonly startedAt = Date.now();
  private draining = false;

  constructor(
    private readonly service: string,
    private readonly instance: string,
  ) {}

  register(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  /** After SIGTERM a service reports `degraded` so load balancers stop sending new work. */
  markDraining(): void {
    this.draining = true;
  }

  async report(timeoutMs = 2000): Promise<HealthReport> {
    const checks: HealthReport['checks'] = {};
    await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          await Promise.race([
            Promise.resolve(check()),
            new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs).unref()),
          ]);
          checks[name] = { status: 'ok' };
        } catch (e) {
          checks[name] = { status: 'down', detail: e instanceof Error ? e.message : String(e) };
        }
      }),
    );
    const down = Object.values(checks).some((c) => c.status === 'down');
    return {
      service: this.service,
      instance: this.instance,
      status: down ? 'down' : this.draining ? 'degraded' : 'ok',
      uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
      checks,
    };
  }
}
