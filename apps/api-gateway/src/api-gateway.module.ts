import { Module } from '@nestjs/common';

/**
 * REST for the admin portal: JWT login, roles and grants (SPEC §11), OpenAPI at /api/docs; translates REST to NATS requests.
 * Use cases arrive as folders beside this file (STYLE.md "Layout").
 */
@Module({})
export class ApiGatewayModule {}
