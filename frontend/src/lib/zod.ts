/**
 * zod as the app uses it: import `z` from here, not from 'zod'. `jitless` skips zod's probe for
 * `new Function` (eval), which the Content-Security-Policy forbids: the probe's error is caught, but
 * the browser still reports it as a CSP violation.
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
