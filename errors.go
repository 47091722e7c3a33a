package supersim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/supersimkit/supersim/internal/apirules"
)

// Sentinel errors. An [*APIError] matches the first three with [errors.Is]
// by its HTTP status, so callers can write
//
//	if errors.Is(err, supersim.ErrRateLimited) { ... }
var (
	// ErrUnauthorized matches an APIError with status 401 or 403: bad or
	// missing credentials (Twilio code 20003).
	ErrUnauthorized = errors.New("supersim: unauthorized")
	// ErrNotFound matches an APIError with status 404 (Twilio code 20404).
	ErrNotFound = errors.New("supersim: not found")
	// ErrRateLimited matches an APIError with status 429 (Twilio code 20429),
	// returned once the retries are spent.
	ErrRateLimited = errors.New("supersim: rate limited")
	// ErrServer matches an APIError with a 5xx status.
	ErrServer = errors.New("supersim: server error")

	// ErrInvalidResponse wraps a 2xx answer the SDK cannot read: malformed
	// or truncated JSON, invalid UTF-8, a name twice in one object or in
	// another case, an integer beyond int64, an amount over 100 digits, a
	// wrong "key", a bad next_page_url.
	ErrInvalidResponse = errors.New("supersim: invalid response")
	// ErrPagingLoop is returned when the server hands out the same next page
	// again, or keeps pointing onward from empty pages: a walk that would
	// never end.
	ErrPagingLoop = errors.New("supersim: paging does not advance")

	// ErrNoCredentials is returned by [NewClient] when no credential option
	// was given and the environment holds no complete pair either.
	ErrNoCredentials = errors.New("supersim: no credentials: use WithCredentials, WithAPIKey, WithKORE or WithTokenSource, or set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, or TWILIO_API_KEY and TWILIO_API_SECRET, or KORE_CLIENT_ID and KORE_CLIENT_SECRET")
	// ErrInvalidOption wraps every error that an [Option] returns to [NewClient].
	ErrInvalidOption = errors.New("supersim: invalid option")
)

// The Twilio error codes of GET /v1/UsageRecords that the SDK documents,
// as [APIError.Code] carries them (KORE answers with the same codes):
//
//	if apiErr.Code == supersim.CodeSimRangeTooLong { ... }
const (
	CodeAuthenticate       = 20003                         // authentication failed (401)
	CodeNotFound           = 20404                         // the resource was not found (404)
	CodeTooManyRequests    = 20429                         // too many requests (429): retried with backoff
	CodeInternalError      = 20500                         // an internal server error (500)
	CodeServiceUnavailable = 20503                         // the service is unavailable (503)
	CodeInvalidPageToken   = 21481                         // the PageToken is not valid
	CodeInvalidParameter   = 83600                         // a parameter failed validation or parameters conflict
	CodeStartNotMidnight   = apirules.CodeStartNotMidnight // StartTime/EndTime must be at a UTC midnight for this request
	CodeStartNotHour       = apirules.CodeStartNotHour     // StartTime/EndTime must be at a UTC hour for this request
	CodeSimRangeTooLong    = apirules.CodeSimRangeTooLong  // Group sim: the period is at most 31 days
	CodeRangeTooLong       = apirules.CodeRangeTooLong     // the period is too long for the granularity
	CodeStartTooEarly      = apirules.CodeStartTooEarly    // StartTime is more than 18 months back
	CodePageTokenRequired  = 70002                         // a paged request needs a PageToken
)

// maxErrorBody bounds how much of an error response is read.
const maxErrorBody = 64 << 10

// APIError is a non-2xx answer from the API: one that is not retried, or the
// last answer once the retries are spent.
type APIError struct {
	Method    string         // the request's method: GET
	Path      string         // the request's path as sent (escaped), without the query: /v1/UsageRecords
	Status    int            // HTTP status code
	Code      int            // Twilio error code (see CodeAuthenticate and the others), 0 if the body had none
	Message   string         // Twilio's message, or a summary of a non-JSON body
	MoreInfo  string         // link to Twilio's page for Code
	Details   map[string]any // Twilio's optional "details" object
	RequestID string         // the Twilio-Request-Id header, for Twilio support
	Attempts  int            // how many tries were made, retries included
}

// Error describes the failure in one line, never with credentials.
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("supersim: ")
	if e.Method != "" {
		fmt.Fprintf(&b, "%s %s: ", e.Method, e.Path)
	}
	fmt.Fprintf(&b, "HTTP %d", e.Status)
	if e.Code != 0 {
		fmt.Fprintf(&b, ", Twilio error %d", e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.MoreInfo != "" {
		fmt.Fprintf(&b, " (%s)", e.MoreInfo)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request %s]", e.RequestID)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	return b.String()
}

// Is lets [errors.Is] match e against ErrUnauthorized, ErrNotFound,
// ErrRateLimited and ErrServer by status.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	case ErrServer:
		return e.Status >= 500 && e.Status <= 599
	}
	return false
}

// newAPIError reads at most maxErrorBody bytes of resp's body, closes it and
// describes the answer. A JSON body in Twilio's shape fills Code, Message,
// MoreInfo and Details; any other body (HTML from a proxy, nothing at all)
// still yields the status and a short summary. The credentials the request
// carried are cut out of the body first, for a proxy that echoes them.
func newAPIError(resp *http.Response) *APIError {
	defer resp.Body.Close()
	e := &APIError{Status: resp.StatusCode, RequestID: resp.Header.Get("Twilio-Request-Id")}
	var forms []string
	if req := resp.Request; req != nil {
		e.Method, e.Path = req.Method, req.URL.EscapedPath()
		forms = sentSecrets(req)
	}
	// Read past the limit by the longest secret form, cut the secrets out,
	// then keep the limit: a secret across the cut is cut out whole.
	longest := 0
	for _, f := range forms {
		longest = max(longest, len(f))
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, int64(maxErrorBody+longest)))
	body = []byte(redact(string(body), forms))
	body = body[:min(len(body), maxErrorBody)]
	var twilio struct {
		Code     int            `json:"code"`
		Message  string         `json:"message"`
		MoreInfo string         `json:"more_info"`
		Details  map[string]any `json:"details"`
	}
	if json.Unmarshal(body, &twilio) == nil && (twilio.Code != 0 || twilio.Message != "") {
		e.Code, e.Message, e.MoreInfo = twilio.Code, oneLine(redact(twilio.Message, forms)), oneLine(redact(twilio.MoreInfo, forms))
		if twilio.Details != nil { // JSON escapes can hide a secret from the cut above
			e.Details = redactValue(twilio.Details, forms).(map[string]any)
		}
		return e
	}
	if loc, err := resp.Location(); err == nil && resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		e.Message = fmt.Sprintf("%s: redirect to %s://%s not followed: it leaves the API origin",
			http.StatusText(resp.StatusCode), loc.Scheme, loc.Host)
		return e
	}
	e.Message = summarize(resp, body)
	return e
}

// oneLine replaces control characters (line breaks, tabs, escapes) with
// spaces, so that a server cannot break a log line in two.
func oneLine(text string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, text)
}

// sentSecrets returns the forms of the Authorization header req carried,
// and of each of its parts, for cutting out of what the server wrote back.
func sentSecrets(req *http.Request) []string {
	sent := req.Header.Get("Authorization")
	if sent == "" {
		return nil
	}
	_, credential, _ := strings.Cut(sent, " ")
	secrets := []string{sent, credential}
	if user, password, ok := req.BasicAuth(); ok {
		secrets = append(secrets, user+":"+password, password)
	}
	return secretForms(secrets...)
}

// summarize describes a body that is not Twilio's JSON error.
func summarize(resp *http.Response, body []byte) string {
	text := http.StatusText(resp.StatusCode)
	if text == "" {
		text = "unknown status"
	}
	kind := resp.Header.Get("Content-Type")
	switch {
	case len(body) == 0:
		return text + " (empty body)"
	case strings.Contains(kind, "html"):
		return text + " (HTML body" + titleOf(body) + ")"
	}
	return text + ": " + clip(string(body), 200)
}

// clip shortens text to at most n bytes of valid UTF-8 on one line.
func clip(text string, n int) string {
	text = strings.ToValidUTF8(strings.Join(strings.Fields(text), " "), "?")
	if len(text) <= n {
		return text
	}
	return strings.ToValidUTF8(text[:n], "") + "..."
}

// titleOf returns `: "<title>"` for an HTML page that has one.
func titleOf(body []byte) string {
	lower := strings.ToLower(string(body))
	start := strings.Index(lower, "<title>")
	end := strings.Index(lower, "</title>")
	if start < 0 || end < start {
		return ""
	}
	title := strings.Join(strings.Fields(string(body[start+len("<title>"):end])), " ")
	return fmt.Sprintf(": %q", title)
}

// ValidationError is one invalid field of [ListUsageRecordsOptions]. The
// errors of several fields come joined with [errors.Join]; find them with
// [errors.As] or by unwrapping.
type ValidationError struct {
	Field   string // the wire name: "Network", "PageSize", "StartTime", ...
	Problem string // what is wrong, e.g. `must match ^HW[0-9a-fA-F]{32}$`
	Value   string // the rejected value, as text
}

// Error reads like `supersim: invalid PageSize "5000": must be between 1 and 1000, or 0 for the default`.
func (e *ValidationError) Error() string {
	if e.Value == "" {
		return fmt.Sprintf("supersim: invalid %s: %s", e.Field, e.Problem)
	}
	return fmt.Sprintf("supersim: invalid %s %q: %s", e.Field, e.Value, e.Problem)
}
