import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Controller, Get, Header, Inject, Param, Res, UseFilters } from '@nestjs/common';
import { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { API_ERRORS, ApiError } from '../http/api-error';
import { ApiExceptionFilter } from '../http/api-exception.filter';

export const OPENAPI_DOCUMENT = Symbol('OPENAPI_DOCUMENT');

/** swagger-ui-dist as @nestjs/swagger depends on it (the same copy SwaggerModule would serve). */
const assetsDir = (): string => dirname(require.resolve('swagger-ui-dist/package.json', { paths: [dirname(require.resolve('@nestjs/swagger'))] }));

const HTML = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8">
    <title>PBX admin portal API</title>
    <link rel="stylesheet" type="text/css" href="/api/docs/swagger-ui.css" />
    <link rel="icon" type="image/png" href="/api/docs/favicon-32x32.png" sizes="32x32" />
    <link rel="icon" type="image/png" href="/api/docs/favicon-16x16.png" sizes="16x16" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/api/docs/swagger-ui-bundle.js" charset="UTF-8"></script>
    <script src="/api/docs/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
    <script src="/api/docs/swagger-initializer.js" charset="UTF-8"></script>
  </body>
</html>
`;

const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/api/docs-json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;

/** Swagger UI's own files, served from swagger-ui-dist; nothing else of that folder is reachable. */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-16x16.png': 'image/png',
  'favicon-32x32.png': 'image/png',
};

/**
 * OpenAPI at /api/docs-json and Swagger UI at /api/docs (public: documentation, no data).
 * Served by this controller rather than SwaggerModule.setup, which needs the Nest application
 * object before it listens (service-kit's runService keeps that to itself); the document is
 * built from the routes' own specs (openapi.document.ts) with @nestjs/swagger's DocumentBuilder.
 */
@Controller('api')
@UseFilters(ApiExceptionFilter)
export class DocsHttpController {
  constructor(@Inject(OPENAPI_DOCUMENT) private readonly document: OpenAPIObject) {}

  @Get('docs-json')
  json(): OpenAPIObject {
    return this.document;
  }

  @Get('docs')
  @Header('Content-Type', 'text/html; charset=utf-8')
  ui(): string {
    return HTML;
  }

  @Get('docs/swagger-initializer.js')
  @Header('Content-Type', 'application/javascript; charset=utf-8')
  initializer(): string {
    return INITIALIZER;
  }

  @Get('docs/:asset')
  async asset(@Param('asset') asset: string, @Res() reply: FastifyReply): Promise<void> {
    const type = Object.prototype.hasOwnProperty.call(ASSETS, asset) ? ASSETS[asset] : undefined;
    if (!type) throw new ApiError(404, API_ERRORS.routeNotFound, 'no such file');
    const body = await readFile(join(assetsDir(), asset));
    await reply.header('Content-Type', type).header('Cache-Control', 'public, max-age=3600').send(body);
  }
}
