// The help text of the options every queued command shares (light: `osm <command> --help` loads no Redis client).
export const QUEUE_HELP = `Scale-out (docs/scale-out.md):
  --queue URL          split the work into jobs on a Redis (redis://HOST:PORT, redis://:PASSWORD@HOST:PORT) for
                       'osm worker' processes on any number of machines; the merged result is the same whatever the
                       number of workers and the order they finish in (without --queue the work runs here)
  --chunk N            items per job (runs, units or meters; default depends on the command)
  --job-timeout T      a job running longer than T (e.g. 90s, 10min, 2h) fails, keeping the items it finished
  --stall-seconds S    a job whose worker died is given to another after about S s (default 30)`;
