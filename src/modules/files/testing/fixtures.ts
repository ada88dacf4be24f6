import { createUser, TEST_ACTOR, type TestServer } from '../../../test-support/identity.js';
import type { NewUser, UserView } from '../../identity/types.js';

export interface DavUser {
  user: UserView;
  password: string;
  appPassword: string;
  /** http://127.0.0.1:port/dav/files/<username>/ */
  davUrl: string;
  /** Authorization header value for the app password. */
  auth: string;
}

/** A person with an app password, ready for WebDAV clients. */
export async function davUser(ts: TestServer, input: Partial<NewUser> & { username: string }): Promise<DavUser> {
  const { user, password } = await createUser(ts, input);
  const { password: appPassword } = await ts.identity.service.createAppPassword(user.id, 'test client', TEST_ACTOR);
  return {
    user,
    password,
    appPassword,
    davUrl: `${ts.url}/dav/files/${user.username}/`,
    auth: 'Basic ' + Buffer.from(`${user.username}:${appPassword}`).toString('base64'),
  };
}
