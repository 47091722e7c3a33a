package supersimtest

import (
	"net/http"
	"net/url"
	"strings"
)

// handler answers one GET of a route with the body to send, given the
// path's {} segments unescaped once.
type handler func(s *Server, r *http.Request, args []string) ([]byte, *apiError)

// route is a path pattern, "{}" standing for one path segment, and its
// handler.
type route struct {
	pattern string
	serve   handler
}

// routes are the API's endpoints the server answers.
var routes = []route{
	{"/v1/UsageRecords", (*Server).listUsageRecords},
	{"/v1/Sims", (*Server).listSims},
	{"/v1/Sims/{}", (*Server).getSim},
	{"/v1/Sims/{}/BillingPeriods", (*Server).listBillingPeriods},
	{"/v1/Fleets", (*Server).listFleets},
	{"/v1/Fleets/{}", (*Server).getFleet},
	{"/v1/Networks", (*Server).listNetworks},
	{"/v1/Networks/{}", (*Server).getNetwork},
}

// match finds the route of an escaped path and the values of its {}
// segments, each unescaped once, so that a unique name may hold a "/".
func match(escapedPath string) (handler, []string) {
	segments := strings.Split(escapedPath, "/")
next:
	for _, rt := range routes {
		pattern := strings.Split(rt.pattern, "/")
		if len(pattern) != len(segments) {
			continue
		}
		var args []string
		for i, p := range pattern {
			value, err := url.PathUnescape(segments[i])
			switch {
			case p == "{}" && err == nil && value != "":
				args = append(args, value)
			case p != segments[i]:
				continue next
			}
		}
		return rt.serve, args
	}
	return nil, nil
}
