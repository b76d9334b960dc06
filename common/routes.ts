// In the bottom floor (common/): the load generator times requests under
// these names and the report shows them; neither may import the other.
// The routes the journeys send, by the names the totals time them under
// (LoadTotals.latencyByRoute): a refresh or a login costs what a read does
// not, and one latency over the whole mix hides it.

export const ROUTES = ['login', 'me', 'cart', 'add-item', 'refresh', 'logout'] as const;

export type RouteName = (typeof ROUTES)[number];

/** The request behind each route name. */
export const ROUTE_REQUESTS: Readonly<Record<RouteName, string>> = {
  login: 'POST /login',
  me: 'GET /me',
  cart: 'GET /cart',
  'add-item': 'POST /cart/items',
  refresh: 'POST /auth/refresh',
  logout: 'POST /logout',
};

const BY_REQUEST = new Map<string, RouteName>(
  ROUTES.map((route) => [ROUTE_REQUESTS[route], route]),
);

/** The route a request belongs to; undefined for a path no journey sends. */
export function routeOf(method: string, path: string): RouteName | undefined {
  return BY_REQUEST.get(`${method} ${path}`);
}
