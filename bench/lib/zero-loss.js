import { cpuSeconds, udpKernelCounters } from './proc.js';
import { sleep } from './stats.js';

/**
 * The zero-loss rate: the highest send rate (lines/s) at which every line sent is counted by the receiver.
 * A trial sends for a few seconds, waits for the receiver's count to settle, and compares. The search
 * doubles (or halves) from a hint until it brackets the edge, then bisects to `precision`.
 */

/** Waits until the receiver's count stops moving (it may still be draining its socket buffer). */
async function settledCount(receiver, { minMs = 300, maxMs = 5000 } = {}) {
  const start = Date.now();
  let last = await receiver.count();
  for (;;) {
    await sleep(150);
    const now = await receiver.count();
    if (now === last && Date.now() - start >= minMs) return now;
    if (Date.now() - start > maxMs) return now;
    last = now;
  }
}

/** One paced send at `rate`; records loss, kernel buffer drops and who used how much CPU. */
export async function trial(receiver, sender, rate, durationMs) {
  const before = await settledCount(receiver, { minMs: 150 });
  const kernel0 = udpKernelCounters();
  const cpu0 = cpuSeconds(receiver.pid);
  const main0 = cpuSeconds(receiver.pid, receiver.pid);
  const sent = await sender.send(receiver.port, rate, durationMs);
  const seconds = sent.elapsedMs / 1000;
  const cpu = (cpuSeconds(receiver.pid) - cpu0) / seconds;
  const mainCpu = (cpuSeconds(receiver.pid, receiver.pid) - main0) / seconds;
  const received = (await settledCount(receiver)) - before;
  const kernel1 = udpKernelCounters();
  return {
    target: rate,
    achieved: Math.round(sent.lines / seconds),
    sent: sent.lines,
    received,
    lost: sent.lines - received,
    sendErrors: sent.errors,
    // Machine-wide counter: other processes' drops would show up here too, so read it as a hint.
    kernelRcvbufDrops: kernel1.RcvbufErrors - kernel0.RcvbufErrors,
    receiverCpu: round2(cpu),
    receiverMainThreadCpu: round2(mainCpu),
    senderCpu: round2(sent.cpuMs / sent.elapsedMs),
  };
}

const round2 = (x) => Math.round(x * 100) / 100;

/**
 * Searches the zero-loss rate. Returns the best passing trial's achieved rate, every trial, and whether the
 * sender itself was the limit (then the true figure is at least the one reported).
 */
export async function searchZeroLoss(receiver, sender, options) {
  const {
    hint,
    durationMs = 3000,
    precision = 0.05,
    maxRate = 20e6,
    maxTrials = 14,
    log = () => {},
    afterTrial,
  } = options;
  const trials = [];
  let pass = null;
  let failRate = Number.POSITIVE_INFINITY;
  let rate = Math.min(hint, maxRate);
  let senderLimited = false;
  while (trials.length < maxTrials) {
    const t = await trial(receiver, sender, rate, durationMs);
    t.pass = t.lost === 0 && t.sendErrors === 0;
    trials.push(t);
    log(t);
    await afterTrial?.(t);
    // A sender that can't reach its target means the receiver was never pushed harder than `achieved`.
    if (t.achieved < 0.95 * t.target) senderLimited = true;
    if (t.pass && (pass === null || t.achieved > pass.achieved)) pass = t;
    if (!t.pass) failRate = Math.min(failRate, t.target);
    if (t.pass && senderLimited) break;
    const lo = pass ? pass.target : 0;
    if (failRate === Number.POSITIVE_INFINITY) {
      if (rate >= maxRate) break;
      rate = Math.min(rate * 2, maxRate);
    } else if (pass === null) {
      rate = rate / 2;
      if (rate < 1000) break;
    } else {
      if (failRate / lo <= 1 + precision) break;
      rate = Math.round(Math.sqrt(lo * failRate));
    }
    await sleep(300);
  }
  const failing = trials.filter((t) => !t.pass);
  return {
    zeroLossRate: pass ? pass.achieved : 0,
    senderLimited: senderLimited && pass !== null && pass.achieved < 0.95 * pass.target,
    lowestFailingRate: failing.length ? Math.min(...failing.map((t) => t.achieved)) : null,
    trials,
  };
}
