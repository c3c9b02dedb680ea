import { DynamicModule, Module } from '@nestjs/common';
import { Config } from './config';
import { provisioningProviders } from './provisioning.provider';
import { RouteHandler } from './route/route.handler';
import { RouteNatsController } from './route/route.nats.controller';

/**
 * Answers `qry.v1.dialplan.route`: where a dialed string goes and what the callee sees
 * (SPEC §1–§2), from the provisioning in force (reloaded on every apply, docs/provisioning.md).
 */
@Module({})
export class DialplanModule {
  static register(config: Config): DynamicModule {
    return {
      module: DialplanModule,
      controllers: [RouteNatsController],
      providers: [...provisioningProviders(config), RouteHandler],
    };
  }
}
