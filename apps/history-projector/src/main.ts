import { serviceMain } from '@pbx/service-kit';
import { readConfig } from './config';
import { HistoryProjectorModule } from './history-projector.module';

serviceMain('history-projector', readConfig, (config) => [HistoryProjectorModule.register(config)]);
