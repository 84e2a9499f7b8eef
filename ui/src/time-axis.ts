/**
 * Labels of the time axis: the time of day at the tick's precision, with the short date under the first tick
 * and under each tick that starts a new day. uPlot's own labels put the full date and time under the first
 * tick, which collides with the next label on a narrow graph.
 */

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function day(d: Date): string {
  return `${d.getMonth() + 1}/${d.getDate()}`;
}

/** `splits` are epoch seconds; `incr` is the tick spacing in seconds. */
export function timeLabels(splits: readonly number[], incr: number): string[] {
  let previous = '';
  return splits.map((s) => {
    const d = new Date(s * 1000);
    const date = day(d);
    const newDay = date !== previous;
    previous = date;
    if (incr >= 86_400) return date;
    const time =
      incr < 60
        ? `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`
        : `${pad(d.getHours())}:${pad(d.getMinutes())}`;
    return newDay ? `${time}\n${date}` : time;
  });
}
