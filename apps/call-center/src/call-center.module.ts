import { Module } from '@nestjs/common';

/**
 * Agents, their statuses and sign-in devices, ACD queues and the realtime monitor (SPEC §6).
 * Use cases arrive as folders beside this file (STYLE.md "Layout").
 */
@Module({})
export class CallCenterModule {}
