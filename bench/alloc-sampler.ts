/**
 * Preloaded into a contender by `bench/alloc-compare.ts` (`node --import`): V8's sampling heap
 * profiler, counting objects the GC has collected too (what a request allocates, not what
 * stays). The first SIGUSR2 starts sampling, the second stops it and writes the profile and the
 * number of HTTP requests that started in between to `ALLOC_PROFILE_OUT`.
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const out = process.env.ALLOC_PROFILE_OUT;
const session = new Session();
session.connect();
let sampling = false;
let requests = 0;
subscribe('http.server.request.start', () => {
  if (sampling) requests += 1;
});

process.on('SIGUSR2', () => {
  if (!sampling) {
    session.post('HeapProfiler.enable', () =>
      session.post(
        'HeapProfiler.startSampling',
        {
          samplingInterval: 512,
          includeObjectsCollectedByMajorGC: true,
          includeObjectsCollectedByMinorGC: true,
        },
        () => {
          sampling = true;
        },
      ),
    );
    return;
  }
  sampling = false;
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error || !out) return;
    writeFileSync(out, JSON.stringify({ requests, profile: result.profile }));
  });
});
