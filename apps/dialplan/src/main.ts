import { serviceMain } from '@pbx/service-kit';
import { readConfig } from './config';
import { DialplanModule } from './dialplan.module';

serviceMain('dialplan', readConfig, () => [DialplanModule]);
