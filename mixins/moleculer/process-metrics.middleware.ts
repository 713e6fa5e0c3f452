import { monitorEventLoopDelay } from "node:perf_hooks";
import type { Middleware, ServiceBroker } from "moleculer";
import { set } from "./metrics";

/** How often the gauges are brought up to date: about Prometheus' scrape interval. */
const UPDATE_MS = 5_000;

/**
 * What Moleculer's own process metrics leave out: the node's CPU time and its event loop's delay over
 * the last UPDATE_MS (metrics.ts names them). The delay is a histogram sampled by Node itself
 * (perf_hooks), so measuring it costs the loop nothing.
 */
export function processMetrics(): Middleware {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let timer: NodeJS.Timeout | undefined;
  return {
    name: "ProcessMetrics",

    async started(broker: ServiceBroker) {
      if (!broker.isMetricsEnabled()) return;
      delay.enable();
      const update = () => {
        const { user, system } = process.cpuUsage();
        set(broker, "process.cpu.seconds.total", (user + system) / 1e6);
        set(broker, "nodejs.eventloop.lag.p50.seconds", delay.percentile(50) / 1e9);
        set(broker, "nodejs.eventloop.lag.p99.seconds", delay.percentile(99) / 1e9);
        delay.reset();
      };
      update();
      timer = setInterval(update, UPDATE_MS);
    },

    async stopped() {
      clearInterval(timer);
      delay.disable();
    },
  };
}
