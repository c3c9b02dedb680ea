import { All, Controller, UseFilters } from '@nestjs/common';
import { API_ERRORS, ApiError } from './api-error';
import { ApiExceptionFilter } from './api-exception.filter';

/** Any other path under /api answers 404 in the API's error shape (SPEC B-2), not the framework's. */
@Controller('api')
@UseFilters(ApiExceptionFilter)
export class UnknownRouteHttpController {
  @All('*')
  unknown(): never {
    throw new ApiError(404, API_ERRORS.routeNotFound, 'no such route');
  }
}
