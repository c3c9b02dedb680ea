import { serviceMain } from '@pbx/service-kit';
import { readConfig } from './config';
import { MobileFmcModule } from './mobile-fmc.module';

serviceMain('mobile-fmc', readConfig, () => [MobileFmcModule]);
