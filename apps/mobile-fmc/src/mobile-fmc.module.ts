import { Module } from '@nestjs/common';

/**
 * Carrier mobile phones as extensions (SPEC §5): presentation rules, mid-call DTMF codes (hold, transfer, park, pickup).
 * Use cases arrive as folders beside this file (STYLE.md "Layout").
 */
@Module({})
export class MobileFmcModule {}
