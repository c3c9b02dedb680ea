import { serviceMain } from '@pbx/service-kit';
import { readConfig } from './config';
import { CallCenterModule } from './call-center.module';

serviceMain('call-center', readConfig, () => [CallCenterModule]);
