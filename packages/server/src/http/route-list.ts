/**
 * The routes a Fastify app serves, read from `app.printRoutes({ commonPrefix: false })`. Fastify has
 * no public list of registered routes once they are registered; the printed radix tree is the one
 * complete view (an `onRoute` hook would have to be added before the routes). Used by the fuzz test
 * to prove that every served route is described in the OpenAPI document, and so fuzzed.
 */

/** One node of the tree that answers requests: its full path and methods. */
export interface ListedRoute {
  path: string;
  methods: string[];
}

/**
 * Parses the printed tree. Each line is `<indent><branch> <segment>[ (<METHODS>)]`; the indent is
 * four characters per level (`│   ` or `    `) and a node's path is its ancestors' segments joined
 * (the tree splits paths at any character: `/v1/me` then `ssages/:id` for `/v1/messages/:id`).
 */
export function listRouterRoutes(tree: string): ListedRoute[] {
  const stack: string[] = [];
  const routes: ListedRoute[] = [];
  for (const line of tree.split('\n')) {
    const match = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z]+(?:, [A-Z]+)*)\))?$/u.exec(line);
    if (!match) continue;
    const depth = (match[1] ?? '').length / 4;
    stack.length = depth;
    stack.push(match[2] ?? '');
    if (match[3] !== undefined) routes.push({ path: stack.join(''), methods: match[3].split(', ') });
  }
  return routes;
}
