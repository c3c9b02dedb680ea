import { Controller, Get, Header, Inject, Res, Type } from '@nestjs/common';
import { MessagePattern } from '@nestjs/microservices';
import { healthSubject, HealthReport, ServiceName } from '@pbx/contracts';
import type { FastifyReply } from 'fastify';
import { HealthService } from './health';
import { Metrics } from './metrics';

@Controller()
export class HealthHttpController {
  constructor(
    private readonly health: HealthService,
    private readonly metrics: Metrics,
  ) {}

  /** 200 when every check passes (also while draining), 503 when one is down. */
  @Get('health')
  async get(@Res() reply: FastifyReply): Promise<void> {
    const report = await this.health.report();
    this.metrics.httpRequests.inc({ route: '/health', status: report.status === 'down' ? '503' : '200' });
    await reply.status(report.status === 'down' ? 503 : 200).send(report);
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async prometheus(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}

/** `qry.v1.<service>.health` answers the same report as HTTP /health. */
export function healthNatsController(service: ServiceName): Type<unknown> {
  @Controller()
  class HealthNatsController {
    constructor(@Inject(HealthService) private readonly health: HealthService) {}
    @MessagePattern(healthSubject(service))
    report(): Promise<HealthReport> {
      return this.health.report();
    }
  }
  return HealthNatsController;
}
