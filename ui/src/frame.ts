/**
 * Draws that arrive before the next frame are done together in it. Responses land in separate tasks, and
 * the browser would otherwise lay out and paint the page between each graph's draw; one frame for all of
 * them keeps a full dashboard fast.
 */
const queue: Array<() => void> = [];

export function inNextFrame(draw: () => void): void {
  queue.push(draw);
  if (queue.length === 1) {
    requestAnimationFrame(() => {
      for (const job of queue.splice(0)) job();
    });
  }
}
