// Placeholder page until the UI issue: shows that the collector is up and where its API lives.
const app = document.querySelector<HTMLElement>('#app');
if (app) {
  const h1 = document.createElement('h1');
  h1.textContent = 'Trendline';
  const p = document.createElement('p');
  p.textContent =
    'The collector is running. Graphs come with the UI; the Graphite API is at /render and /metrics/find.';
  app.append(h1, p);
}
