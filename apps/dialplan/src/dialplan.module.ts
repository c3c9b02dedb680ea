import { Module } from '@nestjs/common';

/**
 * Answers `qry.v1.dialplan.route`: where a dialed string goes and what the callee sees (SPEC §1–§2), from the applied provisioning.
 * Use cases arrive as folders beside this file (STYLE.md "Layout").
 */
@Module({})
export class DialplanModule {}
