import { Controller, Inject } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { callLogSearchRequestSchema, HISTORY_CALL_LOGS } from '@pbx/contracts';
import { parsePayload } from '@pbx/service-kit';
import { CallLogsHandler } from './call-logs.handler';

@Controller()
export class CallLogsNatsController {
  constructor(@Inject(CallLogsHandler) private readonly handler: CallLogsHandler) {}

  @MessagePattern(HISTORY_CALL_LOGS)
  callLogs(@Payload() data: unknown) {
    return this.handler.execute(parsePayload(callLogSearchRequestSchema, data));
  }
}
