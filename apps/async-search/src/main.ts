import { serviceMain } from '@pbx/service-kit';
import { readConfig } from './config';
import { AsyncSearchModule } from './async-search.module';

serviceMain('async-search', readConfig, (config) => [AsyncSearchModule.register(config)]);
