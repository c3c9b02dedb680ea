import { Module } from '@nestjs/common';

/**
 * The queue of calls that need a call back (折り返し呼管理, SPEC §8): registration, assignment, status, memo and search.
 * Use cases arrive as folders beside this file (STYLE.md "Layout").
 */
@Module({})
export class CallbackQueueModule {}
