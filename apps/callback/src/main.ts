import { serviceMain } from '@pbx/service-kit';
import { readConfig } from './config';
import { CallbackModule } from './callback.module';

serviceMain('callback', readConfig, () => [CallbackModule]);
