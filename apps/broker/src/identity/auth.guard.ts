import { type CanActivate, type ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { JsonRequest } from '../http/json-body.interceptor';
import type { CallerRole } from './caller';
import { forbidden, IdentityService } from './identity.service';

const PUBLIC = 'fq:public';
const ROLES = 'fq:roles';

/** Marks a controller or handler as open to anybody (documents, key sets, the site list). */
export const Public = () => SetMetadata(PUBLIC, true);

/** Restricts a controller or handler to callers with one of `roles`; without it every broker role may call. */
export const RequireRole = (...roles: CallerRole[]) => SetMetadata(ROLES, roles);

/** Who may call a route: anybody (`public`), or callers with a token and, if `roles` is set, one of those roles. */
export function routeAccess(
  reflector: Reflector,
  targets: Parameters<Reflector['getAllAndOverride']>[1],
): { public: boolean; roles: CallerRole[] | undefined } {
  return {
    public: reflector.getAllAndOverride<boolean | undefined>(PUBLIC, targets) === true,
    roles: reflector.getAllAndOverride<CallerRole[] | undefined>(ROLES, targets),
  };
}

/** The broker's one guard: every route needs a valid bearer token unless marked @Public(); @RequireRole narrows it. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly identity: IdentityService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = routeAccess(this.reflector, [context.getHandler(), context.getClass()]);
    if (access.public) {
      return true;
    }
    const request = context.switchToHttp().getRequest<JsonRequest>();
    const caller = await this.identity.authenticate(request);
    const { roles } = access;
    if (roles !== undefined && !roles.includes(caller.role)) {
      throw forbidden(`this needs the role ${roles.join(' or ')}`);
    }
    request.caller = caller;
    return true;
  }
}
