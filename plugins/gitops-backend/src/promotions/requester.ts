import type {
  BackstageCredentials,
  BackstageServicePrincipal,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';

/** Whether a request comes from a service (CI with an external access token, another plugin). */
export function isService(credentials: BackstageCredentials): credentials is BackstageCredentials<BackstageServicePrincipal> {
  return (credentials.principal as { type?: string } | undefined)?.type === 'service';
}

/**
 * Who a request is recorded as: the user's entity ref, or `service:<subject>` for a
 * service, which has no user info (and is never mistaken for a person).
 */
export async function requesterOf(credentials: BackstageCredentials, userInfo: UserInfoService): Promise<string> {
  if (isService(credentials)) return `service:${credentials.principal.subject}`;
  return (await userInfo.getUserInfo(credentials)).userEntityRef;
}

/**
 * The user behind a decision on a promotion. Approvals are the "other person" of an
 * approval rule: a service never decides, so it never counts as one.
 */
export async function approverOf(credentials: BackstageCredentials, userInfo: UserInfoService) {
  if (isService(credentials)) {
    throw new NotAllowedError(`service ${credentials.principal.subject} may not approve or reject promotions: approvals are by people`);
  }
  return userInfo.getUserInfo(credentials);
}
