import { serviceMain } from '@pbx/service-kit';
import { readConfig } from './config';
import { CallbackQueueModule } from './callback-queue.module';

serviceMain('callback-queue', readConfig, () => [CallbackQueueModule]);
