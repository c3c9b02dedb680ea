import { Module } from '@nestjs/common';

/**
 * Projects leg, call and quota events into the call log, call-center log and reports (SPEC §9), checkpointed with the rows; runs the event relay to NATS.
 * Use cases arrive as folders beside this file (STYLE.md "Layout").
 */
@Module({})
export class HistoryProjectorModule {}
