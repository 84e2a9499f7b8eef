/** A mounted view: the router shows `el`, calls `mounted` once it is in the document, and `destroy` on leaving. */
export interface View {
  el: HTMLElement;
  /** Starts what needs layout (chart widths) or timers. */
  mounted?: () => void;
  /** Back/forward to the same view with other parameters; false asks the router to rebuild it instead. */
  update?: (params: URLSearchParams) => boolean;
  destroy?: () => void;
}
