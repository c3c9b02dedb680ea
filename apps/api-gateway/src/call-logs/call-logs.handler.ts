import { Inject, Injectable } from '@nestjs/common';
import { CallLogSearch, CallLogSearchReply, callLogSearchReplySchema, HISTORY_CALL_LOGS } from '@pbx/contracts';
import { NatsBus } from '@pbx/service-kit';
import { Principal } from '../auth/principal';
import { GATEWAY_SETTINGS, GatewaySettings } from '../tokens';

/** GET /api/v1/call-logs → qry.v1.history-projector.call-logs with the caller's scope (SPEC A-1, S-1). */
@Injectable()
export class CallLogsHandler {
  constructor(
    @Inject(NatsBus) private readonly bus: NatsBus,
    @Inject(GATEWAY_SETTINGS) private readonly settings: GatewaySettings,
  ) {}

  async execute(query: Omit<CallLogSearch, 'scope'>, who: Principal): Promise<CallLogSearchReply> {
    if (who.scope && who.scope.numbers.length === 0) return { items: [], total: 0 }; // sees nothing: no need to ask
    const request: CallLogSearch = { ...query, ...(who.scope ? { scope: who.scope } : {}) };
    return this.bus.request(HISTORY_CALL_LOGS, request, callLogSearchReplySchema, { timeoutMs: this.settings.downstreamTimeoutMs });
  }
}
