import { AppConfig } from '@cadre/config';
import { LoginThrottle } from './login-throttle';

describe('login throttling without Redis', () => {
  it('answers 503 retry (never lets a login through unchecked, never a 500) when Redis does not answer', async () => {
    // Port 1: nothing listens there, the connection is refused at once.
    const throttle = new LoginThrottle(AppConfig.fromEnv({ REDIS_URL: 'redis://127.0.0.1:1' }));
    try {
      await expect(throttle.assertAllowed('a@b.example', '198.51.100.7')).rejects.toMatchObject({ kind: 'unavailable', code: 'retry' });
      await expect(throttle.recordFailure('a@b.example', '198.51.100.7')).rejects.toMatchObject({ kind: 'unavailable' });
    } finally {
      throttle.onApplicationShutdown();
    }
  });
});
