import { connect, headers as natsHeaders, NatsConnection, ErrorCode, NatsError } from 'nats';
import { CORRELATION_HEADER, TRANSPORT_ERRORS, errorReplySchema } from '@pbx/contracts';
import { ZodTypeAny, z } from 'zod';
import { RemoteError } from './errors';
import { currentCorrelationId } from './logger';

/**
 * Outgoing side of NATS for a service: requests with zod-checked replies and typed errors,
 * and plain publishes. The correlation id of the work at hand travels in a header.
 */
export class NatsBus {
  private constructor(readonly connection: NatsConnection) {}

  static async connect(url: string, name: string): Promise<NatsBus> {
    const nc = await connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    return new NatsBus(nc);
  }

  private headersFor(correlationId?: string) {
    const id = correlationId ?? currentCorrelationId();
    if (!id) return undefined;
    const h = natsHeaders();
    h.set(CORRELATION_HEADER, id);
    return h;
  }

  async request<S extends ZodTypeAny>(subject: string, payload: unknown, replySchema: S, opts: { timeoutMs?: number; correlationId?: string } = {}): Promise<z.infer<S>> {
    let raw: unknown;
    try {
      const msg = await this.connection.request(subject, Buffer.from(JSON.stringify(payload)), {
        timeout: opts.timeoutMs ?? 2000,
        headers: this.headersFor(opts.correlationId),
      });
      raw = msg.data.length ? JSON.parse(Buffer.from(msg.data).toString('utf8')) : null;
    } catch (e) {
      if (e instanceof NatsError && e.code === ErrorCode.NoResponders) throw new RemoteError(TRANSPORT_ERRORS.noResponders, `no service answers ${subject}`);
      if (e instanceof NatsError && e.code === ErrorCode.Timeout) throw new RemoteError(TRANSPORT_ERRORS.timeout, `${subject} did not answer in ${opts.timeoutMs ?? 2000} ms`);
      throw e;
    }
    const err = errorReplySchema.safeParse(raw);
    if (err.success) throw new RemoteError(err.data.error.code, err.data.error.message, err.data.error.details);
    const ok = replySchema.safeParse(raw);
    if (!ok.success) throw new RemoteError(TRANSPORT_ERRORS.invalidReply, `${subject} answered a reply that breaks its contract: ${ok.error.message}`);
    return ok.data;
  }

  publish(subject: string, payload: unknown, correlationId?: string): void {
    this.connection.publish(subject, Buffer.from(JSON.stringify(payload)), { headers: this.headersFor(correlationId) });
  }

  async close(): Promise<void> {
    if (!this.connection.isClosed()) await this.connection.drain();
  }
}
