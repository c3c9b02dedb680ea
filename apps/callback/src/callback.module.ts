import { Module } from '@nestjs/common';

/**
 * Click-to-call callbacks (SPEC §7): rings the agent's own phone, then the counterpart, bridges them, and records the results.
 * Use cases arrive as folders beside this file (STYLE.md "Layout").
 */
@Module({})
export class CallbackModule {}
