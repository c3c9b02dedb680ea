import { serviceMain } from '@pbx/service-kit';
import { readConfig } from './config';
import { ApiGatewayModule } from './api-gateway.module';

serviceMain('api-gateway', readConfig, (config) => [ApiGatewayModule.register(config)]);
