import { Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ApiController } from '../../http/api-controller';
import { Input, Route, RouteInput } from '../../http/route';
import { LoginHandler } from './login.handler';
import { loginRoute } from './login.route';

@ApiController('auth')
export class LoginHttpController {
  constructor(@Inject(LoginHandler) private readonly handler: LoginHandler) {}

  @Route(loginRoute)
  login(@Input() input: RouteInput<typeof loginRoute>, @Req() req: FastifyRequest) {
    return this.handler.execute(input.body, req.ip);
  }
}
