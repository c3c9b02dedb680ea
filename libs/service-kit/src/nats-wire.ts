import { ArgumentsHost, Catch, Logger } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { Deserializer, IncomingEvent, IncomingRequest, Serializer } from '@nestjs/microservices';
import { Observable, throwError } from 'rxjs';
import { TRANSPORT_ERRORS } from '@pbx/contracts';
import { isCodedError, toErrorBody } from './errors';

/**
 * Nest's NATS transport wraps payloads in its own envelope ({pattern, data, id} / {response,
 * err, isDisposed}). Our wire format is the contract's plain JSON, so that any NATS client
 * (another service, a peer's gateway, the `nats` CLI) can talk to a service: these two
 * classes make Nest read and write exactly that.
 */
export class PlainJsonDeserializer implements Deserializer<Uint8Array, IncomingRequest | IncomingEvent> {
  deserialize(value: Uint8Array, options?: Record<string, unknown>): IncomingRequest | IncomingEvent {
    const pattern = String(options?.channel ?? '');
    let data: unknown;
    const text = Buffer.from(value).toString('utf8');
    try {
      data = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      data = { $invalidJson: text.slice(0, 120) };
    }
    const replyTo = options?.replyTo;
    return typeof replyTo === 'string' && replyTo.length > 0 ? { pattern, data, id: replyTo } : { pattern, data };
  }
}

interface OutgoingPacket {
  id?: string;
  response?: unknown;
  err?: unknown;
  status?: string;
  isDisposed?: boolean;
}

export class PlainJsonSerializer implements Serializer<OutgoingPacket, { data: Uint8Array }> {
  serialize(packet: OutgoingPacket): { data: Uint8Array } {
    let body: unknown;
    if (packet.err !== undefined && packet.err !== null) {
      body = { error: typeof packet.err === 'string' ? { code: TRANSPORT_ERRORS.internal, message: packet.err } : isCodedError(packet.err) ? packet.err : toErrorBody(packet.err) };
    } else {
      body = packet.response ?? null;
    }
    return { data: Buffer.from(JSON.stringify(body)) };
  }
}

/**
 * Turns whatever a NATS handler throws into the typed error body and logs the unexpected
 * ones. HTTP errors go on to Nest's default handling (the gateway adds its own mapping).
 */
@Catch()
export class RpcErrorFilter extends BaseExceptionFilter {
  private readonly log = new Logger('rpc');
  override catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    if (host.getType() !== 'rpc') return super.catch(exception, host);
    const body = toErrorBody(exception);
    if (body.code === TRANSPORT_ERRORS.internal) this.log.error(exception instanceof Error ? exception : String(exception));
    return throwError(() => body);
  }
}
