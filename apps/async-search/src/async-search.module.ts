import { Module } from '@nestjs/common';

/**
 * Asynchronous history searches (SPEC §10): jobs that stream matching rows into CSV files and mail a notice when done.
 * Use cases arrive as folders beside this file (STYLE.md "Layout").
 */
@Module({})
export class AsyncSearchModule {}
