import { applyDecorators, Controller, UseFilters, UseGuards } from '@nestjs/common';
import { AuthGuard } from '../auth/auth.guard';
import { ApiExceptionFilter } from './api-exception.filter';

export const API_PREFIX = 'api/v1';

/**
 * A REST controller of the admin portal: under /api/v1, behind the auth guard (SPEC A-2), with
 * the gateway's error mapping (SPEC B-2). Each handler declares its route with @Route().
 */
export function ApiController(path: string): ClassDecorator {
  return applyDecorators(Controller(`${API_PREFIX}/${path}`), UseGuards(AuthGuard), UseFilters(ApiExceptionFilter));
}
