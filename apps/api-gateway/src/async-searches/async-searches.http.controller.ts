import { Inject, StreamableFile } from '@nestjs/common';
import { CurrentPrincipal, Principal } from '../auth/principal';
import { ApiController } from '../http/api-controller';
import { Input, Route, RouteInput } from '../http/route';
import { AsyncSearchesHandler } from './async-searches.handler';
import { createAsyncSearchRoute, deleteAsyncSearchRoute, downloadAsyncSearchRoute, getAsyncSearchRoute, listAsyncSearchesRoute, retryAsyncSearchRoute } from './async-searches.route';

@ApiController('async-searches')
export class AsyncSearchesHttpController {
  constructor(@Inject(AsyncSearchesHandler) private readonly handler: AsyncSearchesHandler) {}

  @Route(createAsyncSearchRoute)
  create(@Input() input: RouteInput<typeof createAsyncSearchRoute>, @CurrentPrincipal() who: Principal) {
    return this.handler.create(input.body, who);
  }

  @Route(listAsyncSearchesRoute)
  list(@CurrentPrincipal() who: Principal) {
    return this.handler.list(who);
  }

  @Route(getAsyncSearchRoute)
  get(@Input() input: RouteInput<typeof getAsyncSearchRoute>, @CurrentPrincipal() who: Principal) {
    return this.handler.get(input.params.id, who);
  }

  @Route(downloadAsyncSearchRoute)
  async download(@Input() input: RouteInput<typeof downloadAsyncSearchRoute>, @CurrentPrincipal() who: Principal): Promise<StreamableFile> {
    const csv = await this.handler.download(input.params.id, who);
    return new StreamableFile(csv.stream, { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="${csv.filename}"`, length: csv.size });
  }

  @Route(deleteAsyncSearchRoute)
  delete(@Input() input: RouteInput<typeof deleteAsyncSearchRoute>, @CurrentPrincipal() who: Principal) {
    return this.handler.delete(input.params.id, who);
  }

  @Route(retryAsyncSearchRoute)
  retry(@Input() input: RouteInput<typeof retryAsyncSearchRoute>, @CurrentPrincipal() who: Principal) {
    return this.handler.retry(input.params.id, who);
  }
}
