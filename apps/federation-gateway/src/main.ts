import { serviceMain } from '@pbx/service-kit';
import { readConfig } from './config';
import { FederationGatewayModule } from './federation-gateway.module';

serviceMain('federation-gateway', readConfig, () => [FederationGatewayModule]);
