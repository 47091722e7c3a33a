package supersimtest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
)

// apiError is an answer in Twilio's error format.
type apiError struct {
	status  int
	code    int // 0: the body has no code
	message string
}

func badParam(format string, args ...any) *apiError {
	return &apiError{400, 83600, fmt.Sprintf(format, args...)}
}

// twilioCodes are Twilio's error codes for the statuses that have one.
var twilioCodes = map[int]int{
	http.StatusUnauthorized:        20003,
	http.StatusForbidden:           20403,
	http.StatusNotFound:            20404,
	http.StatusMethodNotAllowed:    20004,
	http.StatusTooManyRequests:     20429,
	http.StatusInternalServerError: 20500,
	http.StatusServiceUnavailable:  20503,
}

// statusError is Twilio's error for a status, with code, or Twilio's code
// for the status when code is 0 (none for a status that has none).
func statusError(status, code int) *apiError {
	if code == 0 {
		code = twilioCodes[status]
	}
	message := http.StatusText(status)
	if status == http.StatusUnauthorized {
		message = "Authenticate"
	}
	return &apiError{status, code, message}
}

// writeError answers e as Twilio does: {"code", "message", "more_info",
// "status"}, without code and more_info when e has no code.
func writeError(w http.ResponseWriter, e *apiError) {
	body := map[string]any{"message": e.message, "status": e.status}
	if e.code != 0 {
		body["code"] = e.code
		body["more_info"] = fmt.Sprintf("https://www.twilio.com/docs/errors/%d", e.code)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(body)
}

// newRequestID is a Twilio-Request-Id: RQ and 32 hex digits.
func newRequestID() string {
	return fmt.Sprintf("RQ%016x%016x", rand.Uint64(), rand.Uint64())
}
