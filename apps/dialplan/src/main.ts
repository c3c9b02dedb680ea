import { serviceMain } from '@pbx/service-kit';
import { readConfig } from './config';
import { DialplanModule } from './dialplan.module';

serviceMain('dialplan', readConfig, (config) => [DialplanModule.register(config)]);
