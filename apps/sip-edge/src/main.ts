import { serviceMain } from '@pbx/service-kit';
import { readConfig } from './config';
import { SipEdgeModule } from './sip-edge.module';

serviceMain('sip-edge', readConfig, () => [SipEdgeModule.register()]);
