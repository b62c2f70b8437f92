// The request's query string reaches server components through this header: the board's HTTP
// server (lib/server/http.ts) sets it from the request URL, and the root layout and pages read it
// (Next hands layouts no search params). Its own module, so pages need not import the server.

/** Request header carrying the query string ('?a=1' or '') to the layout and pages. */
export const SEARCH_HEADER = 'x-board-search';
