import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Controller, Module } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { DomainError } from '@pbx/domain-kernel';
import { createTestDatabase, testNatsUrl, uniqueName } from '@pbx/testing';
import { z } from 'zod';
import { currentCorrelationId, NatsBus, parsePayload, RemoteError, runService, RunningService } from '../src';

const subject = uniqueName('test.kit');
const echoSchema = z.object({ name: z.string().min(1), count: z.number().int() });

@Controller()
class EchoController {
  @MessagePattern(`${subject}.echo`)
  echo(@Payload() data: unknown) {
    const p = parsePayload(echoSchema, data);
    return { hello: p.name, count: p.count, correlationId: currentCorrelationId() ?? null };
  }
  @MessagePattern(`${subject}.refuse`)
  refuse(): never {
    throw new DomainError('TEST.REFUSED', 'refused on purpose', { why: 'test' });
  }
  @MessagePattern(`${subject}.crash`)
  crash(): never {
    throw new Error('secret internals');
  }
}
@Module({ controllers: [EchoController] })
class EchoModule {}

describe('service-kit: one booted service against real NATS and PostgreSQL', () => {
  let svc: RunningService;
  let bus: NatsBus;

  beforeAll(async () => {
    const DATABASE_URL = await createTestDatabase('kit');
    svc = await runService({
      service: 'dialplan',
      config: { NATS_URL: testNatsUrl(), DATABASE_URL, HTTP_HOST: '127.0.0.1', HTTP_PORT: 0, LOG_LEVEL: 'silent' },
      imports: [EchoModule],
    });
    bus = await NatsBus.connect(testNatsUrl(), 'kit-test');
  });
  afterAll(async () => {
    await bus?.close();
    await svc?.close();
  });

  it('answers /health with every check ok', async () => {
    const res = await fetch(`${svc.httpUrl}/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ service: 'dialplan', status: 'ok', checks: { nats: { status: 'ok' }, postgres: { status: 'ok' } } });
  });

  it('answers the same report on qry.v1.<service>.health', async () => {
    const report = await bus.request('qry.v1.dialplan.health', {}, z.object({ service: z.string(), status: z.string() }));
    expect(report).toEqual(expect.objectContaining({ service: 'dialplan', status: 'ok' }));
  });

  it('speaks plain JSON on the wire and carries the correlation id into the handler', async () => {
    const reply = await bus.request(`${subject}.echo`, { name: 'sato', count: 2 }, z.object({ hello: z.string(), count: z.number(), correlationId: z.string().nullable() }), { correlationId: 'req-42' });
    expect(reply).toEqual({ hello: 'sato', count: 2, correlationId: 'req-42' });
    const raw = await bus.connection.request(`${subject}.echo`, Buffer.from(JSON.stringify({ name: 'x', count: 1 })));
    expect(JSON.parse(raw.string())).toEqual({ hello: 'x', count: 1, correlationId: null });
  });

  it('answers an invalid payload with CONTRACT.INVALID_PAYLOAD naming every bad field', async () => {
    const err = await bus.request(`${subject}.echo`, { name: '', count: 1.5 }, z.unknown()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ code: 'CONTRACT.INVALID_PAYLOAD' });
    expect((err as RemoteError).message).toMatch(/name/);
    expect((err as RemoteError).message).toMatch(/count/);
    const raw = await bus.connection.request(`${subject}.echo`, Buffer.from('{not json'));
    expect(JSON.parse(raw.string())).toMatchObject({ error: { code: 'CONTRACT.INVALID_PAYLOAD' } });
  });

  it('maps a DomainError to its code and an unexpected error to INTERNAL.ERROR without leaking its text', async () => {
    await expect(bus.request(`${subject}.refuse`, {}, z.unknown())).rejects.toMatchObject({ code: 'TEST.REFUSED', message: 'refused on purpose', details: { why: 'test' } });
    const err = (await bus.request(`${subject}.crash`, {}, z.unknown()).catch((e: unknown) => e)) as RemoteError;
    expect(err.code).toBe('INTERNAL.ERROR');
    expect(err.message).not.toMatch(/secret/);
  });

  it('exposes Prometheus metrics including NATS handler timings', async () => {
    const text = await (await fetch(`${svc.httpUrl}/metrics`)).text();
    expect(text).toMatch(new RegExp(`pbx_nats_handler_seconds_count\\{[^}]*subject="${subject.replace(/\./g, '\\.')}\\.echo"`));
    expect(text).toMatch(/pbx_process_cpu_user_seconds_total/);
  });

  it('refuses to boot on bad config, listing every fault as one structured line', () => {
    const root = join(__dirname, '../../..');
    const r = spawnSync(process.execPath, ['--require', join(root, 'tools/run-ts.cjs'), join(root, 'apps/dialplan/src/main.ts')], {
      env: { PATH: process.env.PATH, HTTP_PORT: 'abc', NATS_URL: 'not a url', LOG_LEVEL: 'loud' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(1);
    const line = JSON.parse(r.stderr.trim().split('\n').pop() ?? '{}');
    expect(line).toMatchObject({ level: 'fatal', service: 'dialplan' });
    for (const field of ['HTTP_PORT', 'NATS_URL', 'LOG_LEVEL']) expect(line.msg).toContain(field);
  });
});
