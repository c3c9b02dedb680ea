import { serviceMain } from '@pbx/service-kit';
import { readConfig } from './config';
import { ChannelQuotaModule } from './channel-quota.module';

serviceMain('channel-quota', readConfig, (config) => [ChannelQuotaModule.register(config)]);
