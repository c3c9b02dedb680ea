import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { NatsContext } from '@nestjs/microservices';
import { CORRELATION_HEADER } from '@pbx/contracts';
import { Observable } from 'rxjs';
import { withCorrelation } from './logger';
import { Metrics } from './metrics';

/** Every NATS handler runs inside its message's correlation id and is timed by subject and outcome. */
@Injectable()
export class NatsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: Metrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const rpc = context.switchToRpc().getContext<NatsContext>();
    const subject = rpc.getSubject();
    const correlationId = rpc.getHeaders()?.get(CORRELATION_HEADER) || undefined;
    const stop = this.metrics.natsHandled.startTimer({ subject });
    return new Observable((subscriber) =>
      withCorrelation(correlationId, () =>
        next.handle().subscribe({
          next: (v) => subscriber.next(v),
          error: (e) => {
            stop({ outcome: 'error' });
            subscriber.error(e);
          },
          complete: () => {
            stop({ outcome: 'ok' });
            subscriber.complete();
          },
        }),
      ),
    );
  }
}
