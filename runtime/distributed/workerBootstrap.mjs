// The worker thread's entry point, in plain JavaScript because a new thread starts
// without the TypeScript loader of the thread that made it: registers tsx (as the
// gradc command does) so worker.ts and the generated .grad.ts modules load as they are.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
